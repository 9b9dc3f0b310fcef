/** GET /api/messages (search, newest first, paged by cursor) and /api/messages/:id (a message and its causal chain). */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth.js';
import { causalChain } from '../causal-chain.js';
import type { DashboardContext } from '../context.js';
import { cursor, limit, only, status, text, time } from '../query.js';
import { summarize } from '../summaries.js';

export function messageRoutes(context: DashboardContext) {
  const { flow, state } = context.options;
  return new Hono<AuthEnv>()
    .get('/api/messages', async (c) => {
      only(c.req.query(), ['type', 'key', 'status', 'from', 'to', 'cursor', 'limit']);
      const q = (name: string) => c.req.query(name);
      const from = time(q('from'), 'from');
      const to = time(q('to'), 'to');
      const page = await state.search({
        type: text(q('type'), 'type'),
        key: text(q('key'), 'key'),
        status: status(q('status')),
        from,
        to,
        cursor: cursor(q('cursor'), from !== undefined || to !== undefined),
        limit: limit(q('limit'), 50, 200),
      });
      return c.json({ messages: page.messages.map((m) => summarize(flow, m)), next: page.next });
    })
    .get('/api/messages/:id', async (c) => {
      const id = text(c.req.param('id'), 'id', 500)!;
      const message = await state.get(id);
      if (!message) return c.json({ error: `no message with id ${JSON.stringify(id)}` }, 404);
      const detail = { ...summarize(flow, message), body: message.body };
      if (c.req.query('chain') === 'false') return c.json({ message: detail });
      const chain = await causalChain(state, message, { maxNodes: 500 });
      return c.json({
        message: detail,
        ancestors: chain.ancestors.map((m) => summarize(flow, m)),
        descendants: chain.descendants.map((d) => ({ ...summarize(flow, d.message), depth: d.depth, parentId: d.parentId })),
        truncated: chain.truncated,
      });
    });
}
