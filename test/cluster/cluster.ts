/**
 * A cluster for tests: real `dataflow run --role …` processes on one PostgreSQL database, in a
 * schema of their own, sharing a blob folder. Messages go in through `dataflow send`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import sharp from 'sharp';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { openPostgresStateStore } from '../../src/adapters/postgres/state-store.js';
import type { Location, StateStore } from '../../src/index.js';
import { testDatabaseUrl } from '../support/postgres.js';
import { dataflowArgs } from '../support/cli.js';


export interface Cluster {
  schema: string;
  env: NodeJS.ProcessEnv;
  blobsDir: string;
  /** Starts `dataflow run` with these roles (and `args`); its output is kept for failure messages. */
  start(roles: string[], env?: NodeJS.ProcessEnv, args?: string[]): ClusterProcess;
  /** `dataflow send -` (with `args`) with these messages as JSON lines. */
  send(messages: unknown[], args?: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  state: StateStore;
  /** Runs SQL in the cluster's schemas. */
  query<T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]>;
  /** Counts done messages by type. */
  count(type: string, status?: 'done' | 'dead' | 'pending'): Promise<number>;
  /** Stores a small PNG frame and returns its location. */
  frame(key: string, shade: number, size?: { width: number; height: number }): Promise<Location>;
  close(): Promise<void>;
}

export interface ClusterProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves when the process has printed this text. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `leaseSeconds` 'default' leaves `DATAFLOW_LEASE_SECONDS` unset, as a user would. @defaultValue 3 */
export async function startCluster(options: { leaseSeconds?: number | 'default' } = {}): Promise<Cluster> {
  const schema = `dataflow_cluster_${randomBytes(4).toString('hex')}`;
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-cluster-'));
  const blobsDir = join(dir, 'blobs');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: testDatabaseUrl,
    DATAFLOW_SCHEMA: schema,
    DATAFLOW_DIR: dir,
    DATAFLOW_BLOBS: pathToFileURL(blobsDir).href,
    DATAFLOW_LEASE_SECONDS: String(options.leaseSeconds ?? 3),
    DATAFLOW_DASHBOARD_PORT: 'off',
    NO_COLOR: '1',
  };
  for (const name of ['AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET', 'SMTP_URL', 'DATAFLOW_CONFIG', 'DATAFLOW_RETRY', 'DATAFLOW_FLOW']) delete env[name];
  if (options.leaseSeconds === 'default') delete env.DATAFLOW_LEASE_SECONDS;
  const pool = new pg.Pool({ connectionString: testDatabaseUrl, max: 3, options: `-c search_path=${schema}` });
  pool.on('error', () => {}); // connections dropped by a server restart; the pool reconnects
  pool.on('connect', (client) => client.on('error', () => {}));
  const processes: ClusterProcess[] = [];
  /** Runs a query, asking again for a while when the server is restarting. */
  const ask = async <T extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<T[]> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await pool.query<T>(sql, values)).rows;
      } catch (error) {
        if (attempt >= 60 || (error as { code?: string }).code?.startsWith('42')) throw error; // 42…: a mistake in the SQL
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const blobs = diskBlobStore(blobsDir);

  // Let the first process create the schema; the state store reads it afterwards.
  const state = openPostgresStateStore({ pool });

  const start = (roles: string[], extra: NodeJS.ProcessEnv = {}, args: string[] = []): ClusterProcess => {
    const child = spawn(process.execPath, dataflowArgs('run', ...roles.flatMap((r) => ['--role', r]), ...args), { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const waiters: (() => void)[] = [];
    const collect = (chunk: Buffer) => {
      text += chunk.toString();
      for (const wake of waiters.splice(0)) wake();
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const proc: ClusterProcess = {
      child,
      output: () => text,
      async waitFor(pattern, timeoutMs = 30_000) {
        const deadline = Date.now() + timeoutMs;
        const found = () => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
        while (!found()) {
          if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before printing ${pattern}:\n${text}`);
          if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${text}`);
          await new Promise<void>((resolve) => {
            waiters.push(resolve);
            setTimeout(resolve, 200);
          });
        }
      },
      kill(signal = 'SIGTERM') {
        if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
        return new Promise((resolve) => {
          child.once('exit', (code) => resolve(code));
          child.kill(signal);
        });
      },
    };
    processes.push(proc);
    return proc;
  };

  return {
    schema,
    env,
    blobsDir,
    start,
    send(messages, args = []) {
      return new Promise((resolve) => {
        const child = execFile(process.execPath, dataflowArgs('send', ...args, '-'), { env, maxBuffer: 64 * 1024 * 1024, timeout: 240_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
        child.stdin!.end(messages.map((m) => JSON.stringify(m)).join('\n'));
      });
    },
    state,
    query: ask,
    async count(type, status = 'done') {
      const rows = await ask<{ n: string }>('SELECT COUNT(*) AS n FROM messages WHERE type = $1 AND status = $2', [type, status]);
      return Number(rows[0]!.n);
    },
    async frame(key, shade, size = { width: 48, height: 32 }) {
      const location = { Bucket: 'dataflow', Key: `amp-image-fetcher/${key}.png` };
      const png = await sharp({ create: { ...size, channels: 3, background: { r: shade % 256, g: (shade * 7) % 256, b: 200 } } }).png().toBuffer();
      await blobs.put(location, png);
      return location;
    },
    async close() {
      await Promise.all(processes.map((p) => p.kill('SIGKILL')));
      await pool.end();
      const admin = new pg.Client({ connectionString: testDatabaseUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}_queue" CASCADE`);
      await admin.end();
    },
  };
}

/** `did-fetch-amp-image` messages for frames already stored: what the fetcher would report. */
export async function frames(cluster: Cluster, imageIds: string[], perImage: number, size?: { width: number; height: number }) {
  const T0 = Date.UTC(2017, 5, 1, 16);
  const messages = [];
  for (const [i, imageId] of imageIds.entries()) {
    for (let f = 0; f < perImage; f++) {
      const location = await cluster.frame(`${imageId}/${f}`, i * 13 + f * 29, size);
      messages.push({ type: 'did-fetch-amp-image', imageId, validTime: T0 + f * 600_000, location });
    }
  }
  return messages;
}
