/**
 * Real `dataflow` processes for the bench: `dataflow run --role …` kept running, and
 * `dataflow send -` fed JSON lines, each started as a user starts it, `node bin/dataflow.js`,
 * the compiled command (see {@link readyCommand}): from the sources, every process would spend
 * CPU compiling them too.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { processCpuSeconds } from './cpu.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const command = join(root, 'bin', 'dataflow.js');
let ready: Promise<void> | undefined;
let isReady = false;

/**
 * Builds `dist/` (`npm run build`) unless it is newer than every source, so the processes run the
 * code as it is now. Call it before starting any.
 */
export function readyCommand(): Promise<void> {
  ready ??= (async () => {
    const newest = (dir: string) =>
      Math.max(0, ...readdirSync(join(root, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs));
    const builtAt = (() => {
      try {
        return statSync(join(root, 'dist', 'cli', 'main.js')).mtimeMs;
      } catch {
        return 0;
      }
    })();
    if (builtAt <= Math.max(newest('src'), newest('examples'))) {
      console.log('  building dist/ for the processes (npm run build): they run the compiled command, as a user does');
      execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    isReady = true;
  })();
  return ready;
}

function dataflowArgs(...args: string[]): string[] {
  if (!isReady) throw new Error('the bench starts dataflow processes only after readyCommand()');
  return [command, ...args];
}

export interface DataflowProcess {
  roles: string[];
  child: ChildProcess;
  output(): string;
  /** Resolves once the process has printed `text`; rejects when it exits first or times out. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Kills this process (by its pid) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The environment for bench processes: the caller's, without anything that would change what the
 * weather flow does or where it sends mail (`DATAFLOW_*`, `AERIS_*`, `SMTP_URL`, `DATABASE_URL`),
 * plus `extra`.
 */
export function benchEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(DATAFLOW_|AERIS_)/.test(name) || name === 'SMTP_URL' || name === 'DATABASE_URL') continue;
    env[name] = value;
  }
  return { ...env, NO_COLOR: '1', DATAFLOW_DASHBOARD_PORT: 'off', ...extra };
}

/** Starts `dataflow run` with these roles; its output is kept for error messages. */
export function startDataflow(roles: string[], env: NodeJS.ProcessEnv): DataflowProcess {
  const child = spawn(process.execPath, dataflowArgs('run', ...roles.flatMap((role) => ['--role', role])), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    text += chunk.toString();
    if (text.length > 200_000) text = text.slice(-100_000);
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    for (const wake of waiters) wake();
  });
  return {
    roles,
    child,
    output: () => text,
    async waitFor(wanted, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(wanted)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dataflow run ${roles.join(' ')} exited (${child.exitCode ?? child.signalCode}) before printing "${wanted}":\n${text}`);
        if (Date.now() > deadline) throw new Error(`dataflow run ${roles.join(' ')} did not print "${wanted}" within ${timeoutMs} ms:\n${text}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, 250);
          waiters.add(wake);
        });
      }
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited;
    },
  };
}

export interface SendResult {
  code: number;
  seconds: number;
  stdout: string;
  stderr: string;
  /** Its CPU seconds, as last sampled (every 100 ms) before it exited: undefined without /proc. */
  cpuSeconds?: number;
}

/**
 * Runs `dataflow send -` with these messages as JSON lines and times it from start to exit.
 * It is killed after `timeoutMs`.
 */
export function sendWithDataflow(messages: unknown[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, dataflowArgs('send', '-'), { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    let cpuSeconds: number | undefined;
    const sampler = setInterval(() => (cpuSeconds = processCpuSeconds(child.pid) ?? cpuSeconds), 100);
    child.once('error', (error) => {
      clearTimeout(timer);
      clearInterval(sampler);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      resolve({ code: code ?? (signal ? 128 : 1), seconds, stdout, stderr: signal ? `${stderr}\n(killed by ${signal} after ${timeoutMs} ms)` : stderr, cpuSeconds });
    });
    child.stdin!.on('error', () => {}); // it may exit before reading everything
    child.stdin!.end(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  });
}
