/** GET /api/dead (the dead letters with their reasons, newest first) and POST /api/redrive. */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AuthEnv } from '../auth.js';
import type { DashboardContext } from '../context.js';
import { badRequest, cursor, limit, only, text } from '../query.js';
import { summarize } from '../summaries.js';
import { REDRIVE_UNAVAILABLE } from './flow.js';

const MAX_IDS = 500;

export function deadLetterRoutes(context: DashboardContext) {
  const { options, feed } = context;
  const { flow, state } = options;
  return new Hono<AuthEnv>()
    .get('/api/dead', async (c) => {
      only(c.req.query(), ['type', 'key', 'cursor', 'limit']);
      const page = await state.search({
        status: 'dead',
        type: text(c.req.query('type'), 'type'),
        key: text(c.req.query('key'), 'key'),
        cursor: cursor(c.req.query('cursor')),
        limit: limit(c.req.query('limit'), 50, 200),
      });
      return c.json({ messages: page.messages.map((m) => summarize(flow, m)), next: page.next });
    })
    .post('/api/redrive', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.json({ error: 'the request is too large' }, 413) }), async (c) => {
      if (!options.redrive) return c.json({ error: REDRIVE_UNAVAILABLE }, 409);
      if (!(c.req.header('content-type') ?? '').startsWith('application/json')) badRequest('send JSON: { "ids": [...] } or { "all": true }');
      const body = (await c.req.json().catch(() => badRequest('the body is not JSON'))) as { ids?: unknown; all?: unknown };
      let ids: string[] | 'all';
      if (body?.all === true) ids = 'all';
      else if (Array.isArray(body?.ids) && body.ids.length > 0 && body.ids.length <= MAX_IDS && body.ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 500)) {
        ids = body.ids as string[];
      } else badRequest(`send { "ids": [1 to ${MAX_IDS} message ids] } or { "all": true }`);
      const result = await options.redrive(ids);
      feed.notify(feed.topics);
      const revived = Array.isArray(result) ? result.map((m: { id?: unknown }) => (typeof m?.id === 'string' ? m.id : String(m))) : undefined;
      return c.json({ revived: revived?.length, ids: revived });
    });
}
