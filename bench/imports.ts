/**
 * How long a fresh `node` takes to import each entry point of the built package, and how many
 * modules it loads, beside `node` doing nothing and beside importing alone the package a user
 * would otherwise pick for the same job: zod for a flow module's schemas, better-sqlite3 for one
 * process, pg-boss for a queue on PostgreSQL, Hono for a web page; a flow's tests on
 * dataflow/testing are set beside the embedded runtime. Measured from dist/, as an installed
 * package runs: `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { printTable } from './table.js';
import { median, runNodeSnippet } from './timing.js';

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

interface Run {
  /** From spawn to exit. */
  wallMs: number;
  /** The process's own CPU time (user and system, all its threads), start-up included. */
  cpuMs: number;
}

/**
 * One fresh process importing the subject. The CPU time barely moves when other work shares the
 * machine, where the wall time does, so the ratios are taken from it.
 */
async function timeOnce(subject: Subject): Promise<Run> {
  const code = `${importCode(subject.specifiers)} const { user, system } = process.cpuUsage(); process.stdout.write(String((user + system) / 1000));`;
  const run = await runNodeSnippet(code, { cwd: root });
  if (run.exit === 0 && Number.isFinite(Number(run.stdout))) return { wallMs: run.wallMs, cpuMs: Number(run.stdout) };
  throw new Error(`importing ${subject.label} failed (exit ${run.exit}): ${run.stderr.trim()}`);
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

/** Why the section cannot run (dist/ missing), or nothing; says so when a source is newer than dist/. */
function notBuilt(): string | undefined {
  const missing = builtEntries.filter((entry) => !existsSync(join(root, entry)));
  if (missing.length > 0) return `it measures the built package, and ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: run \`npm run build\` first`;
  const built = Math.min(...builtEntries.map((entry) => statSync(join(root, entry)).mtimeMs));
  const newer = newestFile(join(root, 'src'));
  if (newer && newer.mtimeMs > built) console.log(`  note: ${newer.path.slice(root.length)} is newer than dist/: \`npm run build\` to measure the sources as they are`);
  return undefined;
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
  const unbuilt = notBuilt();
  if (unbuilt) {
    console.log(`\n  skipping the imports section: ${unbuilt}`);
    return;
  }
  const times = new Map<string, Run[]>(subjects.map((s) => [s.label, []]));
  for (const subject of subjects) await timeOnce(subject); // warm the file cache
  // Round-robin, so a slow moment on a shared machine falls on every subject alike.
  for (let run = 0; run < runs; run++) for (const subject of subjects) times.get(subject.label)!.push(await timeOnce(subject));
  const dir = mkdtempSync(join(tmpdir(), 'dataflow-bench-imports-'));
  const modules = new Map(subjects.map((s) => [s.label, countModules(s, dir)]));
  rmSync(dir, { recursive: true, force: true });

  const wall = (label: string) => median(times.get(label)!.map((r) => r.wallMs));
  const cpu = (label: string) => median(times.get(label)!.map((r) => r.cpuMs));
  const bare = cpu(NODE_ALONE);
  console.log(`\n## Imports: a fresh \`node -e "await import(…)"\` from dist/, median of ${runs} runs\n`);
  printTable(
    ['import', 'wall ms', 'CPU ms', 'CPU ms over node', 'modules', 'compared with', 'ratio'],
    subjects.map((s) => {
      const over = cpu(s.label) - bare;
      const versus = s.versus ? cpu(s.versus) - bare : undefined;
      return [
        s.label,
        wall(s.label).toFixed(0),
        cpu(s.label).toFixed(0),
        s.label === NODE_ALONE ? '' : over.toFixed(0),
        String(modules.get(s.label)),
        s.versus ?? '',
        versus === undefined ? '' : `${(over / Math.max(versus, 1)).toFixed(1)}x`,
      ];
    }),
  );
  console.log(`\nCPU ms over node: the process's CPU time less node's own ${bare.toFixed(0)} ms; ratio: that of the row over that of the one it is compared with.`);
}

if (import.meta.url === `file://${process.argv[1]}`) await importsBench();
