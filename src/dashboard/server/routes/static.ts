/**
 * The page: `/` is `ui/index.html`, `/ui/…` the rest of `ui/` (a fixed list read at start, so no
 * request names a file outside it), `/vendor/chart.umd.js` Chart.js from node_modules.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AuthEnv } from '../auth.js';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** `ui/` beside the server's code: `src/dashboard/ui`, or `dist/dashboard/ui`, where the build copies it. */
export function uiFolder(): string {
  const folder = fileURLToPath(new URL('../../ui/', import.meta.url));
  if (!existsSync(join(folder, 'index.html'))) throw new Error(`the dashboard's page is missing: no index.html in ${folder}`);
  return folder;
}

function filesUnder(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (Object.keys(types).some((ext) => entry.name.endsWith(ext))) files.set(`/ui/${relative(root, path).split(sep).join('/')}`, path);
    }
  };
  walk(root);
  return files;
}

export function staticRoutes(options: { root?: string } = {}) {
  const root = options.root ?? uiFolder();
  const files = filesUnder(root);
  files.set('/', join(root, 'index.html'));
  // chart.js exports no subpath for its UMD build: it sits beside the CommonJS entry, in dist/.
  files.set('/vendor/chart.umd.js', join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js'));
  const serve = async (path: string | undefined) => {
    if (!path) return undefined;
    const extension = /\.[a-z]+$/.exec(path)?.[0] ?? '';
    return { body: await readFile(path), type: types[extension] ?? 'application/octet-stream' };
  };
  return new Hono<AuthEnv>().get('*', async (c, next) => {
    const file = await serve(files.get(c.req.path));
    if (!file) return next();
    return c.body(new Uint8Array(file.body), 200, { 'Content-Type': file.type, 'Cache-Control': 'no-cache' });
  });
}
