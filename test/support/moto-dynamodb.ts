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
 *
 * That same code copies the whole table (`copy.deepcopy`) once per item of a transaction before
 * it begins, so on moto a TransactWriteItems takes time in proportion to the table's size: about
 * 50 ms for a two-item one on an empty table, 620 ms with 1,200 messages in it, on a loaded
 * 2-core machine. A run that writes a table full grows slower than linearly with its work on moto
 * alone; DynamoDB's transactions cost the same whatever the table holds.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Moto } from './moto.js';

export interface SerialDynamo {
  /** `http://127.0.0.1:<port>`: give it to DynamoDB clients. */
  endpoint: string;
  /** The DynamoDB operation of every call so far, in the order moto got them (`Query`, `Scan` …). */
  operations: string[];
  /**
   * The next call of this operation reaches moto and takes effect, but its answer never comes
   * back: the connection is cut, as a network fault would, and the SDK sends the call again.
   */
  loseAnswer(operation: string): void;
  close(): Promise<void>;
}

export async function serialDynamoProxy(moto: Pick<Moto, 'port'>): Promise<SerialDynamo> {
  let turn: Promise<void> = Promise.resolve();
  const operations: string[] = [];
  const toLose = new Set<string>();
  const server: Server = createServer((incoming, answer) => {
    const dynamo = String(incoming.headers['x-amz-target'] ?? '').startsWith('DynamoDB_');
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const operation = String(incoming.headers['x-amz-target'] ?? '').replace(/^DynamoDB_\d+\./, '');
      const lose = dynamo && toLose.delete(operation);
      const forward = () =>
        new Promise<void>((done) => {
          const upstream = request({ host: '127.0.0.1', port: moto.port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (reply) => {
            if (lose) {
              reply.resume();
              reply.on('end', () => (answer.socket?.destroy(), done()));
              return;
            }
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
        operations.push(operation);
        return forward();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    operations,
    loseAnswer: (operation) => void toLose.add(operation),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
