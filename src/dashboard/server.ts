/**
 * The web dashboard: the flow as a picture with live counts, a message explorer with causal
 * chains, the dead letters with a re-drive button, and the views the flow contributes (a gallery
 * of what it made, a table; see core/flow-view.ts). Hono on node:http serves a JSON API
 * under `/api/…`, server-sent events at `/api/events`, blobs at `/blobs/…` and a static page
 * (`ui/`, plain ES modules, no build step).
 *
 * Security: loopback by default. Off loopback it refuses to start without a token
 * (`DATAFLOW_DASHBOARD_TOKEN`, 16 characters at least); with a token every request needs it
 * (Bearer header, or a cookie set by opening the page once with `?token=`), and wrong ones are
 * rate-limited per client address. Writes also need a same-origin request (or the
 * Bearer header). The page builds its DOM from text, never from HTML strings.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { FlowEvent } from '../core/events.js';
import type { Flow } from '../core/flow.js';
import type { FlowView } from '../core/flow-view.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MessageBrowser } from '../ports/message-browser.js';
import type { StateStore } from '../ports/state-store.js';
import { createDashboardApp } from './server/app.js';
import { assertStartable, isLoopbackHost } from './server/auth.js';
import { createChangeFeed } from './server/change-feed.js';
import { checkViews } from './server/flow-views.js';

export interface DashboardOptions {
  state: StateStore & MessageBrowser;
  flow: Flow;
  /** To serve blobs to the page (GET /blobs/:bucket/<key...>, content type from the extension). */
  blobs: BlobStore;
  /** Re-drives dead letters; absent when this process cannot (the page then shows why the button is off). */
  redrive?: (ids: string[] | 'all') => Promise<unknown>;
  /** Local flow events for live updates; absent in a process that runs no consumers: then the store is polled. */
  onEvent?: (listener: (event: FlowEvent) => void) => () => void;
  /** Prometheus text exposition, served at GET /metrics (behind the same token rule). */
  metrics?: { contentType: string; metrics(): Promise<string> };
  /** The flow's own views (`ProvidedFlow.views`), each in the page's navigation; a view's id must be unique. */
  views?: readonly FlowView[];
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** @defaultValue 7070; 0 picks a free port. */
  port?: number;
  /** Required off loopback (the `dataflow` command passes `DATAFLOW_DASHBOARD_TOKEN`). @defaultValue none */
  token?: string;
  now?: () => number;
}

/**
 * What the store looks like, cheaply, for polling when there are no events: the newest message,
 * the newest pending ones (a settle changes them) and the newest dead one, every second; the full
 * counts (kept by the store, a few rows) every tenth time, for what the rest misses.
 */
function storeSignature(state: MessageBrowser): () => Promise<string> {
  let polls = 0;
  let counts = '';
  return async () => {
    const [latest, pending, dead] = await Promise.all([state.search({ limit: 1 }), state.search({ status: 'pending', limit: 50 }), state.search({ status: 'dead', limit: 1 })]);
    if (polls++ % 10 === 0) counts = JSON.stringify(await state.counts());
    return JSON.stringify([latest.messages[0]?.id, pending.messages.map((m) => `${m.id}:${m.attempts}`), dead.messages[0]?.id, counts]);
  };
}

export interface Dashboard {
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 7070;
  const token = options.token || undefined;
  assertStartable(host, token);
  const views = checkViews(options.views);
  const now = options.now ?? Date.now;

  const feed = createChangeFeed({ onEvent: options.onEvent, views, signature: storeSignature(options.state) });
  const app = createDashboardApp({ options, views, token, loopback: isLoopbackHost(host), now, feed });
  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host;
  return {
    url: `http://${shownHost}:${address.port}/`,
    async close() {
      feed.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
