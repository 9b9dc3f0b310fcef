/**
 * How long a fresh `node` takes to import each entry point of the built package, and how many
 * modules it loads, beside `node` doing nothing and beside importing alone the package a user
 * would otherwise pick for the same job: zod for a flow module's schemas, better-sqlite3 for one
 * process, pg-boss for a queue on PostgreSQL, Hono for a web page; a flow's tests on
 * dataflow/testing are set beside the embedded runtime. Measured from dist/, as an installed
 * package runs: `npm run build` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { printTable } from './table.js';
import { median } from './timing.js';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Subject {
  label: string;
  /** What `node -e` imports; none for node alone. */
  specifiers: string[];
  /** The label of the subject this one is compared with. */
  versus?: string;
}

const NODE_ALONE = 'node -e "" (nothing imported)';

const subjects: Subject[] = [
  { label: NODE_ALONE, specifiers: [] },
  { label: 'dataflow (the core)', specifiers: ['dataflow'] },
  { label: 'zod alone', specifiers: ['zod'] },
  { label: 'dataflow + zod (a flow module)', specifiers: ['dataflow', 'zod'], versus: 'zod alone' },
  { label: 'better-sqlite3 alone', specifiers: ['better-sqlite3'] },
  { label: 'dataflow/embedded', specifiers: ['dataflow/embedded'], versus: 'better-sqlite3 alone' },
  { label: 'pg-boss alone', specifiers: ['pg-boss'] },
  { label: 'dataflow/cluster', specifiers: ['dataflow/cluster'], versus: 'pg-boss alone' },
  { label: 'hono + @hono/node-server alone', specifiers: ['hono', '@hono/node-server'] },
  { label: 'dataflow/dashboard', specifiers: ['dataflow/dashboard'], versus: 'hono + @hono/node-server alone' },
  { label: 'dataflow/testing', specifiers: ['dataflow/testing'], versus: 'dataflow/embedded' },
];

/** The built entry points, which `import('dataflow/…')` from the repository resolves to. */
const builtEntries = ['dist/index.js', 'dist/embedded.js', 'dist/cluster.js', 'dist/dashboard.js', 'dist/testing/index.js'];

function importCode(specifiers: string[]): string {
  return specifiers.map((s) => `await import(${JSON.stringify(s)});`).join(' ');
}

/** One fresh process importing the subject, timed from spawn to exit. */
function timeOnce(subject: Subject): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', importCode(subject.specifiers)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`importing ${subject.label} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

/**
 * The files a fresh process loads for the subject: every ES module a load hook sees, and every
 * CommonJS module in require's cache (CommonJS required from CommonJS passes no ES hook). A
 * separate, untimed run, since the hook costs time of its own.
 */
function countModules(subject: Subject, dir: string): number {
  const log = join(dir, `${subject.specifiers.join('+').replace(/[^a-z0-9]+/gi, '_') || 'node'}.txt`);
  const hooks = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.DATAFLOW_BENCH_MODULE_LOG, url + '\\n');
  return next(url, context);
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  const code = `${importCode(subject.specifiers)}
const { createRequire } = await import('node:module');
const { pathToFileURL } = await import('node:url');
console.log(JSON.stringify(Object.keys(createRequire(${JSON.stringify(join(root, 'package.json'))}).cache).map((p) => pathToFileURL(p).href)));`;
  const result = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, '--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DATAFLOW_BENCH_MODULE_LOG: log },
  });
  if (result.status !== 0) throw new Error(`counting the modules of ${subject.label} failed: ${result.stderr.trim()}`);
  const esm = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  const cjs = JSON.parse(result.stdout.trim().split('\n').pop()!) as string[];
  return new Set([...esm, ...cjs]).size;
}

/** Stops with what to do when dist/ is missing; says so when a source is newer than it. */
function checkBuilt(): void {
  const missing = builtEntries.filter((entry) => !existsSync(join(root, entry)));
  if (missing.length > 0) throw new Error(`the imports bench measures the built package, and ${missing.join(', ')} is missing: run \`npm run build\` first`);
  const built = Math.min(...builtEntries.map((entry) => statSync(join(root, entry)).mtimeMs));
  const newer = newestFile(join(root, 'src'));
  if (newer && newer.mtimeMs > built) console.log(`note: ${newer.path.slice(root.length)} is newer than dist/: \`npm run build\` to measure the sources as they are`);
}

function newestFile(dir: string): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? newestFile(path) : { path, mtimeMs: statSync(path).mtimeMs };
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

export async function importsBench(options: { runs?: number } = {}): Promise<void> {
  const runs = Math.max(3, options.runs ?? 9);
  checkBuilt();
  const times = new Map<string, number[]>(subjects.map((s) => [s.label, []]));
  for (const subject of subjects) await timeOnce(subject); // warm the file cache
  // Round-robin, so a slow moment on a shared machine falls on every subject alike.
  for (let run = 0; run < runs; run++) for (const subject of subjects) times.get(subject.label)!.push(await timeOnce(subject));
  const dir = mkdtempSync(join(tmpdir(), 'dataflow-bench-imports-'));
  const modules = new Map(subjects.map((s) => [s.label, countModules(s, dir)]));
  rmSync(dir, { recursive: true, force: true });

  const ms = (label: string) => median(times.get(label)!);
  const bare = ms(NODE_ALONE);
  console.log(`\n## Imports: a fresh \`node -e "await import(…)"\` from dist/, median of ${runs} runs\n`);
  printTable(
    ['import', 'ms', 'ms over node', 'modules', 'compared with', 'ms over node, ratio'],
    subjects.map((s) => {
      const over = ms(s.label) - bare;
      const versus = s.versus ? ms(s.versus) - bare : undefined;
      return [
        s.label,
        ms(s.label).toFixed(0),
        s.label === NODE_ALONE ? '' : over.toFixed(0),
        String(modules.get(s.label)),
        s.versus ?? '',
        versus === undefined ? '' : `${(over / Math.max(versus, 1)).toFixed(1)}x`,
      ];
    }),
  );
  console.log(`\nms over node: the median less node's own ${bare.toFixed(0)} ms; the ratio is that of the row over that of the one it is compared with.`);
}

if (import.meta.url === `file://${process.argv[1]}`) await importsBench();
