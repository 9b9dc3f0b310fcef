/**
 * A consumer in a process of its own, for the pg-boss transport's crash test: it takes one job of
 * the queue, says so on stdout (`taken <attempt>`), and hangs in the handler until it is killed.
 *
 * argv: connectionString schema queue expireInSeconds
 */
import { pgBossTransport } from '../../src/adapters/pg-boss/transport.js';

const [connectionString, schema, queue, expireInSeconds] = process.argv.slice(2);
if (!connectionString || !schema || !queue || !expireInSeconds) throw new Error('usage: pg-boss-consumer-child <connectionString> <schema> <queue> <expireInSeconds>');

const transport = pgBossTransport({ connectionString, schema, expireInSeconds: Number(expireInSeconds), pollingIntervalSeconds: 0.1, maintenanceIntervalSeconds: 1 });
await transport.start();
transport.consume(
  queue,
  async (delivery) => {
    process.stdout.write(`taken ${delivery.attempt}\n`);
    return new Promise(() => {}); // never answers: the test kills this process here
  },
  { concurrency: 1 },
);
