/**
 * The `dataflow` command from the sources, as the tests run it: node with tsx and the `source`
 * condition (so `import 'dataflow'` resolves to src/), then src/cli/main.ts and its arguments.
 * The packed, compiled command is checked by .ci/packed-install.sh.
 */
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** `execFile(process.execPath, dataflowArgs('send', '-'))`. */
export function dataflowArgs(...args: string[]): string[] {
  return ['--conditions=source', '--import', import.meta.resolve('tsx'), main, ...args];
}
