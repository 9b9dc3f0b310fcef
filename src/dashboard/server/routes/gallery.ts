/** GET /api/gallery: the flow's gallery, newest first; 404 when the flow has none. */
import { Hono } from 'hono';
import type { AuthEnv } from '../auth.js';
import type { DashboardContext } from '../context.js';
import { limit, text } from '../query.js';

export function galleryRoutes(context: DashboardContext) {
  const { gallery } = context.options;
  return new Hono<AuthEnv>().get('/api/gallery', async (c) => {
    if (!gallery) return c.json({ error: 'this flow has no gallery' }, 404);
    const items = await gallery({ imageId: text(c.req.query('imageId'), 'imageId'), limit: limit(c.req.query('limit'), 24, 100) });
    return c.json({ items });
  });
}
