import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { transportConformance } from './transport.case.js';

transportConformance('in-process', async () => inProcessTransport());
