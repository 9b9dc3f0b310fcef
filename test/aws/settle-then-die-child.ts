/**
 * A host of the AWS runtime's handlers that dies between settle and send: it runs the toy flow on
 * SQS and DynamoDB (the endpoint, region and prefix from its environment), and the moment the state
 * store has settled the message `cause` as done (its reply recorded, pending), it kills itself with
 * SIGKILL, before the reply is handed to SQS. The cause stays in flight in its queue, undeleted.
 */
import { fileURLToPath } from 'node:url';
import { openAwsRuntime } from '../../src/runtimes/aws/runtime.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';

const runtime = await openAwsRuntime({
  settings: readAwsSettings(process.env),
  flow: fileURLToPath(new URL('./toy-flow-module.ts', import.meta.url)),
  waitTimeSeconds: 1,
  wrapState: (state) => ({
    ...state,
    async settle(id, settlement, caused, now) {
      const settled = await state.settle(id, settlement, caused, now);
      if (id === 'cause' && settlement.status === 'done') process.kill(process.pid, 'SIGKILL');
      return settled;
    },
  }),
});
await runtime.start();
await runtime.send([{ type: 'please-double', id: 'cause', n: 3 }]);
// Never reached: the settle kills the process. Should it not, say so.
await new Promise((r) => setTimeout(r, 30_000));
process.stdout.write('still alive\n');
process.exit(1);
