/** A dashboard over an in-memory SQLite store and the weather flow's definitions, and raw HTTP for tests. */
import { request as httpRequest } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { startDashboard, type DashboardOptions } from '../../src/dashboard/server.js';
import { defaultWeatherConfig } from '../../examples/weather/config.js';
import { weatherFlow } from '../../examples/weather/flow.js';
import type { NewMessage } from '../../src/index.js';

export function weatherDefinitions() {
  return weatherFlow({
    config: defaultWeatherConfig,
    mailer: { send: async () => ({ messageId: 'x', receipt: 'nowhere' }) },
    amp: { baseUrl: 'http://127.0.0.1:1', clientId: 'none', clientSecret: 'none' },
  });
}

export async function testDashboard(overrides: Partial<DashboardOptions> = {}) {
  const state = openSqliteStateStore(':memory:');
  const blobs = diskBlobStore(await mkdtemp(join(tmpdir(), 'dataflow-dashboard-')));
  const dashboard = await startDashboard({ state, blobs, flow: weatherDefinitions(), port: 0, token: '', ...overrides });
  return {
    state,
    blobs,
    url: dashboard.url,
    async close() {
      await dashboard.close();
      await state.close();
    },
  };
}

export function message(id: string, type: string, extra: Partial<NewMessage> & Record<string, unknown> = {}): NewMessage {
  const { key, validTime, causedBy, status, reason, ...payload } = extra;
  return {
    id,
    type,
    body: { type, id, dateCreated: 1, ...(key ? { imageId: key } : {}), ...(validTime !== undefined ? { validTime } : {}), ...payload } as NewMessage['body'],
    key: key as string | undefined,
    validTime: validTime as number | undefined,
    causedBy: causedBy as string | undefined,
    status: status as NewMessage['status'],
    reason: reason as string | undefined,
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = any>(): T;
}

/**
 * HTTP with any headers (Host, Origin, Sec-Fetch-Site), no redirects followed. `path` is sent as
 * given (a URL would turn `/\x` into `//x`); `localAddress` picks the client's address (any of 127/8).
 */
export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown; path?: string; localAddress?: string } = {}): Promise<RawResponse> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = { ...(body !== undefined && typeof options.body !== 'string' ? { 'content-type': 'application/json' } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const where = { host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, path: options.path ?? `${target.pathname}${target.search}`, localAddress: options.localAddress };
    const req = httpRequest({ ...where, method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
