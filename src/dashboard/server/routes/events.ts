/** GET /api/events: server-sent events telling the page which views changed ("change"), and a heartbeat. */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AuthEnv } from '../auth.js';
import type { Change } from '../change-feed.js';
import type { DashboardContext } from '../context.js';

export function eventRoutes(context: DashboardContext, options: { heartbeatMs?: number } = {}) {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  return new Hono<AuthEnv>().get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      const queue: Change[] = [];
      let wake = () => {};
      const unsubscribe = context.feed.subscribe((change) => {
        queue.push(change);
        wake();
      });
      let open = true;
      stream.onAbort(() => {
        open = false;
        wake();
      });
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ at: context.now() }), retry: 2000 });
      try {
        while (open) {
          const change = queue.shift();
          if (change) {
            await stream.writeSSE({ event: 'change', data: JSON.stringify(change) });
            continue;
          }
          const timer = new Promise<'beat'>((resolve) => {
            const t = setTimeout(() => resolve('beat'), heartbeatMs);
            wake = () => (clearTimeout(t), resolve('beat'), (wake = () => {}));
          });
          if ((await timer) === 'beat' && open && queue.length === 0) await stream.write(': heartbeat\n\n');
        }
      } finally {
        unsubscribe();
      }
    }),
  );
}
