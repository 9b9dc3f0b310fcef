/**
 * What the SQS sender does with entries SQS fails inside a successful SendMessageBatch call, which
 * moto never does: a stand-in SQS on loopback, speaking SQS's JSON protocol, answers for it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueUrls } from '../../src/adapters/sqs/queue-names.js';
import { sqsSender } from '../../src/adapters/sqs/sender.js';

type Entry = { Id: string; MessageBody: string };
/** Decides, per SendMessageBatch call, which entries fail and how. */
let failing: (entries: Entry[], call: number) => { Id: string; SenderFault: boolean; Code: string; Message: string }[] = () => [];
const calls: string[][] = [];

const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
  request.on('end', () => {
    const action = String(request.headers['x-amz-target']).replace('AmazonSQS.', '');
    const input = JSON.parse(body) as { QueueName?: string; Entries?: Entry[] };
    let answer: unknown;
    if (action === 'GetQueueUrl') answer = { QueueUrl: `http://${request.headers.host}/123456789012/${input.QueueName}` };
    else {
      const entries = input.Entries!;
      calls.push(entries.map((entry) => (JSON.parse(entry.MessageBody) as { id: string }).id));
      const failed = failing(entries, calls.length);
      const failedIds = new Set(failed.map((f) => f.Id));
      answer = {
        Successful: entries.filter((e) => !failedIds.has(e.Id)).map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: createHash('md5').update(e.MessageBody).digest('hex') })),
        Failed: failed,
      };
    }
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify(answer));
  });
});
let client: SQSClient;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new SQSClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
});
after(() => {
  client.destroy();
  server.close();
});

const delivery = (id: string) => ({ message: { type: 'please-test', id, dateCreated: 0 }, attempt: 1 });
const send = (ids: string[]) => sqsSender({ client, prefix: 'p', urls: queueUrls(client) }).send('mediator', ids.map(delivery));

describe('SQS sender: entries SQS fails', () => {
  it('sends again, alone, the entries SQS failed for its own reasons', async () => {
    calls.length = 0;
    failing = (entries, call) => (call === 1 ? [{ Id: entries[1]!.Id, SenderFault: false, Code: 'InternalError', Message: 'try again' }] : []);
    await send(['a', 'b', 'c']);
    assert.deepEqual(calls, [['a', 'b', 'c'], ['b']]);
  });

  it('gives up after three tries, and at once on the sender\'s fault, naming the message and SQS\'s code', async () => {
    calls.length = 0;
    failing = (entries) => [{ Id: entries[0]!.Id, SenderFault: false, Code: 'InternalError', Message: 'still down' }];
    await assert.rejects(send(['x']), /SQS did not take message x \(please-test\) for queue p-mediator after 3 tries: InternalError: still down/);
    assert.equal(calls.length, 3);

    calls.length = 0;
    failing = (entries) => entries.filter((e) => e.MessageBody.includes('"bad"')).map((e) => ({ Id: e.Id, SenderFault: true, Code: 'InvalidMessageContents', Message: 'Invalid characters' }));
    await assert.rejects(send(['good', 'bad']), /SQS did not take message bad \(please-test\) for queue p-mediator: InvalidMessageContents: Invalid characters/);
    assert.equal(calls.length, 1);
  });
});
