/**
 * One Lambda function, as a process of its own, for tests: its environment is the function's
 * (AWS_LAMBDA_FUNCTION_NAME set, DATAFLOW_CONSUMER naming the consumer), its handler is the
 * deployment's entry (src/runtimes/aws/handlers/consumer.ts), and its consumer's queue feeds it
 * as the event source mapping would, each invocation with a context object of its own. Its
 * standard output and error are what CloudWatch Logs would get. It appends each invocation's
 * request id and message ids to the file named by DATAFLOW_TEST_INVOCATIONS, and stops on SIGTERM.
 *
 *   node --conditions=source --import tsx test/support/lambda-function.ts
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { hostEventSources } from '../../src/adapters/sqs/event-source-host.js';
import { awsResourceNames } from '../../src/runtimes/aws/resource-names.js';
import type { LambdaInvocationContext } from '../../src/observability/powertools-logger.js';

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME!;
const consumer = process.env.DATAFLOW_CONSUMER!;
const invocations = process.env.DATAFLOW_TEST_INVOCATIONS!;
const { handler } = (await import('../../src/runtimes/aws/handlers/consumer.js')) as {
  handler: (event: { Records: { body: string; messageId: string }[] }, context: LambdaInvocationContext) => Promise<unknown>;
};

const client = new SQSClient({});
const host = hostEventSources(
  [
    {
      queueName: awsResourceNames(undefined, { environment: process.env }).queueOf(consumer),
      maxConcurrency: 1, // a Lambda process runs one invocation at a time
      batchSize: 3,
      handler: async (event) => {
        const context: LambdaInvocationContext = {
          awsRequestId: randomUUID(),
          functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
          memoryLimitInMB: '1024',
        };
        const ids = event.Records.map((r) => (JSON.parse(r.body) as { id?: string }).id ?? r.messageId);
        appendFileSync(invocations, `${JSON.stringify({ requestId: context.awsRequestId, ids })}\n`);
        return (await handler(event, context)) as never;
      },
    },
  ],
  { client, waitTimeSeconds: 1 },
);
process.once('SIGTERM', () => {
  void host.stop().finally(() => {
    client.destroy();
    process.exit(0);
  });
});
