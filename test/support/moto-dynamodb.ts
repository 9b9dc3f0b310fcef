/**
 * A loopback proxy in front of moto that hands it DynamoDB requests one at a time, as DynamoDB
 * itself would order conflicting writes; every other request (SQS long polls, S3) passes at once.
 *
 * Why: moto 5.2 serves requests on threads, and its TransactWriteItems is not atomic between
 * them. It checks each condition, then writes, with no lock, and a cancelled transaction puts back
 * a copy of the whole table taken when it began, erasing what other requests wrote meanwhile
 * (moto/dynamodb/models/__init__.py, `transact_write_items`). Concurrent writers on real DynamoDB
 * never see either. Through this proxy the store's clients still send their calls concurrently;
 * moto just runs them in turn.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Moto } from './moto.js';

export interface SerialDynamo {
  /** `http://127.0.0.1:<port>`: give it to DynamoDB clients. */
  endpoint: string;
  /** The DynamoDB operation of every call so far, in the order moto got them (`Query`, `Scan` …). */
  operations: string[];
  close(): Promise<void>;
}

export async function serialDynamoProxy(moto: Pick<Moto, 'port'>): Promise<SerialDynamo> {
  let turn: Promise<void> = Promise.resolve();
  const operations: string[] = [];
  const server: Server = createServer((incoming, answer) => {
    const dynamo = String(incoming.headers['x-amz-target'] ?? '').startsWith('DynamoDB_');
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const forward = () =>
        new Promise<void>((done) => {
          const upstream = request({ host: '127.0.0.1', port: moto.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (reply) => {
            answer.writeHead(reply.statusCode ?? 502, reply.headers);
            reply.pipe(answer);
            reply.on('end', done);
            reply.on('error', () => done());
          });
          upstream.on('error', (error) => {
            answer.destroy(error);
            done();
          });
          upstream.end(Buffer.concat(chunks));
        });
      if (!dynamo) return void forward();
      turn = turn.then(() => {
        operations.push(String(incoming.headers['x-amz-target']).replace(/^DynamoDB_\d+\./, ''));
        return forward();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
