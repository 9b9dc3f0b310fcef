/**
 * The pg-boss transport's own pool opens connections within the URL's `connect_timeout`, like
 * every other pool, against a server that accepts the connection and never says a word.
 */
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { pgBossTransport } from '../../src/adapters/pg-boss/transport.js';
import { silentLogger } from '../../src/index.js';

describe('the pg-boss transport on a PostgreSQL that never answers', () => {
  it('gives up after the URL\'s connect_timeout', async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const transport = pgBossTransport({ connectionString: `postgres://dataflow@127.0.0.1:${port}/flows?connect_timeout=1`, log: silentLogger });
    const started = performance.now();
    try {
      await assert.rejects(transport.start(), /timeout/i);
      const seconds = (performance.now() - started) / 1000;
      assert.ok(seconds < 4, `gave up after ${seconds.toFixed(1)} s, not about 1 s`);
    } finally {
      await transport.close().catch(() => {});
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
