/** GET /blobs/<Bucket>/<Key…>: a blob's bytes, with a content type from its extension (images only render inline). */
import { Hono } from 'hono';
import { BlobNotFoundError, assertSafeLocation } from '../../../ports/blob-store.js';
import type { AuthEnv } from '../auth.js';
import type { DashboardContext } from '../context.js';

const images: Record<string, string> = { gif: 'image/gif', png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp' };

export function contentTypeOf(key: string): string | undefined {
  const extension = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
  return extension ? images[extension] : undefined;
}

export function blobRoutes(context: DashboardContext) {
  const { blobs } = context.options;
  return new Hono<AuthEnv>().get('/blobs/*', async (c) => {
    let location;
    try {
      // Split the raw (still encoded) path first, so an encoded '/' cannot make a segment of its own.
      const [bucket, ...key] = new URL(c.req.url).pathname.slice('/blobs/'.length).split('/').map((part) => decodeURIComponent(part));
      location = { Bucket: bucket ?? '', Key: key.join('/') };
      assertSafeLocation(location);
    } catch (error) {
      return c.json({ error: (error as Error).message }, 400);
    }
    let body: Buffer;
    try {
      body = await blobs.get(location);
    } catch (error) {
      if (error instanceof BlobNotFoundError) return c.json({ error: error.message }, 404);
      throw error;
    }
    const type = contentTypeOf(location.Key);
    c.header('Content-Type', type ?? 'application/octet-stream');
    if (!type) c.header('Content-Disposition', 'attachment');
    c.header('Cache-Control', 'private, max-age=300');
    return c.body(new Uint8Array(body));
  });
}
