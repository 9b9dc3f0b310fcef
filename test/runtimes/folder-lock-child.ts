/**
 * A child process for the data-folder lock tests: loads everything, prints `ready`, waits for a
 * line on stdin (the parent lets every child go at once), tries to lock the folder and prints
 * `locked <pid>` or `refused <reason>`. A winner holds the lock until stdin closes.
 *
 * argv: <data folder>
 */
import { createInterface } from 'node:readline';
import { lockFolder } from '../../src/runtimes/folder-lock.js';

const [dir] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write('ready\n');
await lines.next();
let unlock: () => void;
try {
  unlock = lockFolder(dir!);
} catch (error) {
  process.stdout.write(`refused ${(error as Error).message}\n`);
  process.exit(0);
}
process.stdout.write(`locked ${process.pid}\n`);
while (!(await lines.next()).done);
unlock();
