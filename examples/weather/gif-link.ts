/**
 * The GIF's address in a mail: only what a recipient can open. A file on this server (the disk
 * blob store's `file://` link) is useless to them and tells them the server's paths.
 */
import type { Location, MediatorContext } from 'dataflow';

/**
 * With `publicUrl` (the dashboard's address), its `/blobs/<Bucket>/<Key>` route; else the blob
 * store's own link if it is http(s) (presigned on S3); else '' (no link).
 */
export async function gifLink(location: Location, publicUrl: string | undefined, context: Pick<MediatorContext, 'urlFor'>): Promise<string> {
  if (publicUrl) {
    const path = [location.Bucket, ...location.Key.split('/')].map(encodeURIComponent).join('/');
    return `${publicUrl.replace(/\/+$/, '')}/blobs/${path}`;
  }
  const url = await context.urlFor(location);
  return /^https?:\/\//i.test(url) ? url : '';
}
