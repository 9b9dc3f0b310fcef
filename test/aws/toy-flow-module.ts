/** The toy flow as a flow module (`--flow`), for a child process that hosts it on the AWS runtime. */
import { toyFlow } from '../support/toy-flow.js';

export default toyFlow().flow;
