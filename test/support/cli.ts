/**
 * The `dataflow` command from the sources, as the tests run it: node with tsx and the `source`
 * condition (so `import 'dataflow'` resolves to src/), then src/cli/main.ts and its arguments.
 * The packed, compiled command is checked by .ci/packed-install.sh.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runtimeEnv } from '../../src/runtimes/env.js';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** `execFile(process.execPath, dataflowArgs('send', '-'))`. */
export function dataflowArgs(...args: string[]): string[] {
  return ['--conditions=source', '--import', import.meta.resolve('tsx'), main, ...args];
}

/**
 * Settings a developer's shell may hold that would change what a test's command does: every one
 * the host reads, the weather flow's, and the AWS SDK's endpoint.
 */
const outsideSettings = [
  ...Object.values(runtimeEnv),
  'AERIS_CLIENT_ID',
  'AERIS_CLIENT_SECRET',
  'AERIS_MAPS_URL',
  'DATAFLOW_MAX_MAP_BYTES',
  'DATAFLOW_GIF_MAX_PIXELS',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
];

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `dataflow <args>` from the sources in `cwd`, with `env` laid over this process's environment
 * less {@link outsideSettings}; `input` goes to its stdin. Resolves with the exit code and output.
 */
export function runDataflow(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number }): Promise<Ran> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const name of outsideSettings) delete env[name];
  Object.assign(env, options.env);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, dataflowArgs(...args), { env, cwd: options.cwd, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin!.end(options.input ?? '');
  });
}
