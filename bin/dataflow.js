#!/usr/bin/env node
// The `dataflow` command: the compiled CLI in dist/, which `npm run build` makes (and `npm install`
// in a clone, through `prepare`). `npm run dataflow -- <command>` runs the TypeScript sources instead.
const main = new URL('../dist/cli/main.js', import.meta.url);
try {
  await import(main.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(main.pathname)) throw error;
  process.stderr.write('dataflow: the compiled command is missing (dist/cli/main.js): run `npm run build`, or `npm run dataflow -- <command>` to run the sources\n');
  process.exitCode = 1;
}
