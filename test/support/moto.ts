/**
 * moto (an AWS emulator: `moto_server`, from `pip install 'moto[server]'`) for tests: one server
 * per test file, on a free loopback port, emptied before use and stopped when the file ends.
 * Unlike s3rver, it enforces S3's conditional writes (`If-None-Match: *`); the SQS, SES v2, SSM
 * and Secrets Manager suites run on it too (its Lambda, which cannot run code here, is never used).
 *
 * When `moto_server` is not on PATH the suites are skipped with the reason, unless
 * `DATAFLOW_REQUIRE_SERVICES=1` (set by CI), when they fail instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

const required = process.env.DATAFLOW_REQUIRE_SERVICES === '1';
const COMMAND = 'moto_server';

export interface Moto {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Empties every service (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  /**
   * Everything moto holds, by service (`GET /moto-api/data.json`): e.g. `ses.RawMessage[].raw_data`,
   * the mails SES v2 sent. It answers 500 once any Lambda function exists.
   */
  data(): Promise<Record<string, Record<string, unknown[]>>>;
  /** SIGTERM, then SIGKILL by PID if it is still there after a few seconds. */
  stop(): Promise<void>;
}

/** Undefined when `moto_server` is on PATH; otherwise why not. */
export async function motoUnavailable(): Promise<string | undefined> {
  for (const folder of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const found = await access(join(folder, COMMAND), constants.X_OK).then(() => true, () => false);
    if (found) return undefined;
  }
  return `${COMMAND} (moto, the AWS emulator) is not on PATH; install it with pip install 'moto[server]'`;
}

/**
 * The `skip` option for a moto suite: false when `moto_server` is there, the reason when it is
 * not; throws when services are required.
 */
export async function skipWithoutMoto(): Promise<string | false> {
  const reason = await motoUnavailable();
  if (!reason) return false;
  if (required) throw new Error(`${reason}; DATAFLOW_REQUIRE_SERVICES=1 makes this a failure`);
  process.stderr.write(`skipping moto suites: ${reason}\n`);
  return `${reason} (set DATAFLOW_REQUIRE_SERVICES=1 to fail instead)`;
}

/** Starts moto on a free port and waits until it answers, empty. */
export async function startMoto(options: { timeoutMs?: number } = {}): Promise<Moto> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let lastError: Error | undefined;
  // A free port can be taken between choosing it and moto binding it: then try another.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const child = spawn(COMMAND, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    const killOnExit = () => child.pid && !hasExited(child) && process.kill(child.pid, 'SIGKILL');
    process.once('exit', killOnExit);
    const moto = motoOn(port, child, () => process.off('exit', killOnExit));
    try {
      await untilAnswering(moto, child, timeoutMs);
      return moto;
    } catch (error) {
      lastError = new Error(`${COMMAND} on port ${port} did not start: ${(error as Error).message}${stderr ? `\n${stderr}` : ''}`);
      await moto.stop();
    }
  }
  throw lastError!;
}

function motoOn(port: number, child: ChildProcess, forget: () => void): Moto {
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    port,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`resetting moto answered ${response.status}`);
    },
    async data() {
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      if (!response.ok) throw new Error(`moto's data.json answered ${response.status}`);
      return (await response.json()) as Record<string, Record<string, unknown[]>>;
    },
    async stop() {
      forget();
      if (hasExited(child) || !child.pid) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      if (gone || hasExited(child)) return;
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        return; // it went in the meantime
      }
      await exited;
    },
  };
}

async function untilAnswering(moto: Moto, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const spawnFailed = once(child, 'error').then(([error]) => error as Error);
  let failure: Error | undefined;
  spawnFailed.then((error) => (failure = error), () => {});
  while (Date.now() < deadline) {
    if (failure) throw failure;
    if (hasExited(child)) throw new Error(`it exited with ${child.exitCode ?? child.signalCode}`);
    try {
      await moto.reset(); // answers once the server is up, and leaves it empty
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`no answer in ${timeoutMs} ms`);
}

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
