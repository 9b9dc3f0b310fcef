/** GET /api/views/:id: what a view the flow contributes shows now, checked (see ../flow-views.ts); 404 for a view the flow has not. */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth.js';
import type { DashboardContext } from '../context.js';
import { viewContent } from '../flow-views.js';
import { limit, only, text } from '../query.js';

export function viewRoutes(context: DashboardContext) {
  const { views, options } = context;
  const { state, blobs } = options;
  return new Hono<AuthEnv>().get('/api/views/:id', async (c) => {
    const id = c.req.param('id');
    const view = views.find((v) => v.id === id);
    if (!view) {
      const known = views.map((v) => `"${v.id}"`).join(', ');
      return c.json({ error: `this flow has no view "${id.slice(0, 80)}"; ${known ? `its views: ${known}` : 'it has none'}` }, 404);
    }
    only(c.req.query(), ['key', 'limit']);
    const query = { key: text(c.req.query('key'), 'key') };
    const most = limit(c.req.query('limit'), 24, 100);
    const answer = await view.load({ state, blobs, query, limit: most });
    return c.json({ id: view.id, title: view.title, ...viewContent(view.id, answer, most) });
  });
}
