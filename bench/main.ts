/**
 * `npm run bench [-- section... --runs=N --counts=5,60 --sharp]`: runs the bench sections (all
 * by default, or those named) and prints their tables. Sections live in their own files;
 * `--runs`, `--counts` and `--sharp` are the imaging section's.
 */
import { awsBench } from './aws.js';
import { clusterBench } from './cluster.js';
import { gifMailBench } from './gif-mail.js';
import { imagingBench } from './imaging.js';
import { importsBench } from './imports.js';
import { runtimeBench } from './runtime.js';
import { scaleBench } from './scale.js';

const sections: Record<string, (args: Options) => Promise<void>> = {
  imaging: (args) => imagingBench({ runs: args.runs, counts: args.counts, withSharp: args.sharp }),
  runtime: () => runtimeBench(),
  cluster: () => clusterBench(),
  /** The cluster section's hops alone, without the end-to-end runs; not part of a run of all sections. */
  hops: () => clusterBench({ endToEnd: false }),
  /** The cluster section's weather flow end to end, alone; not part of a run of all sections. */
  'end-to-end': () => clusterBench({ hops: false }),
  /** The cluster section's GIF mail beside the embedded runtime, alone; not part of a run of all sections. */
  'gif-mail': async () => void (await gifMailBench()),
  scale: () => scaleBench(),
  imports: () => importsBench(),
  aws: () => awsBench(),
};

interface Options {
  runs: number;
  counts: number[];
  sharp: boolean;
  only: string[];
}

function parseArgs(argv: string[]): Options {
  const options: Options = { runs: 3, counts: [5, 60], sharp: false, only: [] };
  for (const arg of argv) {
    const [key, value] = arg.split('=', 2) as [string, string | undefined];
    if (key === '--runs' && value && Number(value) >= 1) options.runs = Math.floor(Number(value));
    else if (key === '--counts' && value) options.counts = value.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
    else if (key === '--sharp') options.sharp = true;
    else if (!key.startsWith('--') && key in sections) options.only.push(key);
    else throw new Error(`unknown bench argument ${arg}; sections: ${Object.keys(sections).join(', ')}; options: --runs=N --counts=5,60 --sharp`);
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
for (const [name, run] of Object.entries(sections)) {
  if (options.only.length > 0 ? !options.only.includes(name) : ['hops', 'end-to-end', 'gif-mail'].includes(name)) continue;
  console.log(`\n# ${name} (node ${process.version})`);
  await run(options);
}
