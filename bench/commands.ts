/** Finding and running the outside tools the bench compares against. */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Tool {
  path: string;
  version: string;
}

/**
 * A working tool at one of `paths`, or the reason there is none. `versionArgs` must succeed:
 * `/usr/local/bin/convert` may be a stand-in that only answers for a few formats, so the bench
 * asks for `/usr/bin/convert` (Debian's ImageMagick) by path.
 */
export function findTool(paths: string[], versionArgs: string[], install: string): Tool | string {
  const found = paths.find((path) => existsSync(path));
  if (!found) return `${paths.join(' or ')} not found (${install})`;
  try {
    const output = execFileSync(found, versionArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { path: found, version: output.split('\n')[0]!.trim() };
  } catch (error) {
    return `${found} does not run: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Runs a command to completion; a failure names the command and its stderr. */
export async function runTool(path: string, args: string[], cwd: string): Promise<void> {
  try {
    await run(path, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${path} ${args.join(' ')} failed: ${stderr.trim() || (error as Error).message}`);
  }
}
