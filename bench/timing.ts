/** Wall-clock timing for the bench: the median of a few runs, after an optional warm-up. */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export interface Timed<T> {
  /** Median wall time in seconds. */
  seconds: number;
  /** Every run's wall time in seconds, in run order. */
  runs: number[];
  /** The last run's result. */
  result: T;
}

export async function timeMedian<T>(runs: number, work: () => Promise<T>, options: { warmup?: boolean } = {}): Promise<Timed<T>> {
  if (options.warmup) await work();
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = await work();
    times.push((performance.now() - start) / 1000);
  }
  return { seconds: median(times), runs: times, result: result as T };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** What a fresh `node` running an ESM snippet printed, and how long the process took, start to exit. */
export interface SnippetRun {
  exit: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Runs an ESM snippet in a fresh `node` process, as a user's first import or a cold start would. */
export function runNodeSnippet(code: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<SnippetRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (exit) => resolve({ exit, stdout, stderr, wallMs: performance.now() - started }));
  });
}
