/**
 * One function of a deployment in a process of its own, as Lambda runs it: its entry module
 * (src/runtimes/aws/handlers/), the function's environment, and the credentials of its principal
 * alone (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as Lambda hands a function its role's).
 *
 * - With DATAFLOW_CONSUMER set: the consumer's entry, fed by its queue through the local event
 *   source mapping, which polls and deletes with the same credentials (Lambda's mapping acts with
 *   the function's role). It prints `ready` once polling, and stops on SIGTERM.
 * - Without: the schedule's entry, fired once with an EventBridge event at DATAFLOW_TICK (epoch
 *   ms); it prints the handler's result as one JSON line and exits.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { hostEventSources } from '../../src/adapters/sqs/event-source-host.js';
import { lambdaContext } from '../../src/runtimes/aws/lambda-context.js';
import { awsResourceNames } from '../../src/runtimes/aws/resource-names.js';

const consumer = process.env.DATAFLOW_CONSUMER;

if (consumer) {
  const { handler } = await import('../../src/runtimes/aws/handlers/consumer.js');
  const sqs = new SQSClient({});
  const queueName = awsResourceNames(undefined, { environment: process.env }).queueOf(consumer);
  const host = hostEventSources([{ queueName, handler, batchSize: 2, maxConcurrency: 2 }], { client: sqs, waitTimeSeconds: 1 });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void (async () => {
      await host.stop();
      await (await lambdaContext().catch(() => undefined))?.close();
      sqs.destroy();
      process.exit(0);
    })();
  });
} else {
  const { handler } = await import('../../src/runtimes/aws/handlers/schedule.js');
  const time = new Date(Number(process.env.DATAFLOW_TICK ?? Date.now())).toISOString();
  const result = await handler({ time, resources: ['arn:aws:events:us-east-1:123456789012:rule/schedule'] });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await (await lambdaContext()).close();
  process.exit(0);
}
