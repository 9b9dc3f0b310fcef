/**
 * `dataflow init [dir]`: writes a starter flow into a folder: `flow.mjs` (plain JavaScript, two
 * workers and a mediator rule, on dataflow's public entry points), `dataflow.config.json` naming
 * it, `flow.test.mjs` (the test kit, run by `node --test`), and a package.json when there is none.
 * The files are copies of ../init-template/, which the build ships beside the compiled command.
 * It never overwrites: when one of them is there already, it writes nothing and names them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

const templates = new URL('../init-template/', import.meta.url);

/** What init writes, from which template. */
const files: { name: string; template: string }[] = [
  { name: 'flow.mjs', template: 'flow.mjs' },
  { name: 'flow.test.mjs', template: 'flow.test.mjs' },
  { name: 'dataflow.config.json', template: 'dataflow.config.json' },
];

export async function initCommand(dir: string, cwd = process.cwd()): Promise<number> {
  const folder = resolve(cwd, dir);
  const taken = files.map((f) => f.name).filter((name) => existsSync(join(folder, name)));
  if (taken.length > 0) {
    throw new Error(`${shown(folder, cwd)} already has ${taken.join(', ')}: init overwrites nothing, so it wrote nothing (move ${taken.length === 1 ? 'it' : 'them'} away, or init another folder)`);
  }
  mkdirSync(folder, { recursive: true });
  const written: string[] = [];
  for (const { name, template } of files) {
    // `wx`: should a file appear meanwhile, it fails rather than overwrite.
    writeFileSync(join(folder, name), readFileSync(new URL(template, templates)), { flag: 'wx' });
    written.push(name);
  }
  const hasPackage = existsSync(join(folder, 'package.json'));
  if (!hasPackage) {
    const text = readFileSync(new URL('package.template.json', templates), 'utf8').replace('"my-flow"', JSON.stringify(packageName(folder)));
    writeFileSync(join(folder, 'package.json'), text, { flag: 'wx' });
    written.push('package.json');
  }
  const where = shown(folder, cwd);
  const say = (text: string) => process.stderr.write(`${text}\n`);
  say(`wrote ${written.map((name) => join(where, name)).join(', ')}`);
  say('');
  say('next, with dataflow installed in that folder or a parent one (npm install dataflow):');
  if (where !== '.') say(`  cd ${/[^\w./-]/.test(where) ? JSON.stringify(where) : where}`);
  say(`  ${hasPackage ? 'node --test' : 'npm test'}    # the flow's test, in memory`);
  say(`  echo '{"type":"please-tidy-text","text":"  Hello,   Data   Flow!  "}' | npx dataflow send -`);
  say('  npx dataflow run    # until Ctrl-C, with the dashboard; dataflow.config.json names the flow');
  return 0;
}

/** The folder as the user would type it: relative when it is below the current one. */
function shown(folder: string, cwd: string): string {
  const path = relative(cwd, folder);
  return path === '' ? '.' : path.startsWith('..') ? folder : path;
}

/** An npm package name made of the folder's name. */
function packageName(folder: string): string {
  const name = basename(folder).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name || 'my-flow';
}
