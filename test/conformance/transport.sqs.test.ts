/**
 * The SQS transport against moto: the transport conformance suite unchanged, each test in its own
 * prefix (its own queues), over the local event source mapping. Retry delays are visibility
 * timeouts in whole seconds, so the suite's 30 ms retry waits a second here.
 */
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsTransport, type SqsTransport } from '../../src/adapters/sqs/transport.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';
import { transportConformance } from './transport.case.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
let moto: Moto | undefined;
let client: SQSClient;
const transports: SqsTransport[] = [];

before(async () => {
  if (skip) return;
  moto = await startMoto();
  client = new SQSClient({ endpoint: moto.endpoint });
});
after(async () => {
  await Promise.all(transports.map((transport) => transport.close()));
  client?.destroy();
  await moto?.stop();
});

if (skip) {
  it('SQS transport conformance on moto', { skip }, () => {});
} else {
  transportConformance('SQS, on moto', async () => {
    const transport = sqsTransport({ client, prefix: `t${randomBytes(4).toString('hex')}`, createMissingQueues: true, waitTimeSeconds: 1 });
    transports.push(transport);
    return transport;
  });
}
