#!/usr/bin/env node
// The `dataflow` command: the compiled CLI (`npm run build` makes dist/). From a clone without a
// build, `npm run dataflow -- <command>` runs the TypeScript sources instead.
await import('../dist/cli/main.js');
