/**
 * The one code asset every function of a deployment runs, built on this machine with esbuild (no
 * Docker, no network, no `npm install`). The flow module is bundled in: a generated entry imports
 * it statically and hands its export to the handlers (`useBundledFlow`) before they load.
 *
 * The folder it writes:
 *
 * | file                   | what                                                              |
 * |------------------------|-------------------------------------------------------------------|
 * | `consumer.mjs`         | handler `consumer.handler`: every consumer's function (DATAFLOW_CONSUMER says which) |
 * | `schedule.mjs`         | handler `schedule.handler`: the schedule's function               |
 * | `chunk-*.mjs`          | what the two share                                                |
 * | `<name>.js`            | a worker thread's entry the code starts as `new URL('./<name>.js', import.meta.url)` |
 * | `package.json`         | `{"type": "module"}`, so those `.js` files load as ES modules     |
 * | `dataflow.config.json` | the flow's config file, when it has one (read from the working folder, /var/task) |
 * | `node_modules/`        | the packages that cannot be bundled (sharp, with its linux-x64 binary), copied from the local node_modules |
 */
import { buildSync, type BuildOptions, type Metafile } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyPackages } from './native-packages.js';

/** Packages with native code: never bundled, copied with their dependencies when the code imports them. */
export const NATIVE_PACKAGES = ['sharp', 'better-sqlite3'] as const;

export interface LambdaBundleOptions {
  /** The flow module's file: its default export, or its export named `flow`, is the flow. */
  flowModule: string;
  /** The flow's config file, copied as `dataflow.config.json`. */
  configFile?: string;
  /** Where to write; made when missing. @defaultValue a new folder in the system's temporary one */
  outDir?: string;
}

/** The handlers every bundle exports: the consumer's and the schedule's entries. */
export const LAMBDA_HANDLERS = { consumer: 'consumer.handler', schedule: 'schedule.handler' } as const;

/** A bundle of no code in `dir` (an empty folder): for a stack synthesized only to be named, as destroying needs. */
export function emptyBundle(dir: string): LambdaBundle {
  return { dir, handlers: LAMBDA_HANDLERS, nativePackages: [] };
}

export interface LambdaBundle {
  dir: string;
  /** `consumer.handler` and `schedule.handler`. */
  handlers: { consumer: string; schedule: string };
  /** The native packages copied into `node_modules`, e.g. `sharp`. */
  nativePackages: string[];
}

/** From the sources (`.ts`, run with the `source` condition) or from the built package (`.js`). */
const fromSource = import.meta.url.endsWith('.ts');
const runtimeModule = (path: string) => fileURLToPath(new URL(`../../runtimes/aws/${path}`, import.meta.url));

/** Builds the asset; throws naming what is missing or does not build. */
export function bundleForLambda(options: LambdaBundleOptions): LambdaBundle {
  const flowModule = resolve(options.flowModule);
  if (!existsSync(flowModule)) throw new Error(`the flow module ${options.flowModule} does not exist (${flowModule})`);
  const dir = options.outDir ? resolve(options.outDir) : mkdtempSync(join(tmpdir(), 'dataflow-lambda-'));
  mkdirSync(dir, { recursive: true });
  const entries = mkdtempSync(join(tmpdir(), 'dataflow-entries-'));
  try {
    const specifier = (path: string) => JSON.stringify(path);
    const lambdaContext = fromSource ? runtimeModule('lambda-context.ts') : runtimeModule('lambda-context.js');
    // Its own module, imported first: ES modules run their imports in order, so the flow is
    // handed over before the handler's module starts its cold start.
    writeFileSync(
      join(entries, 'bundled-flow.mjs'),
      `import * as flowModule from ${specifier(flowModule)};\nimport { useBundledFlow } from ${specifier(lambdaContext)};\nuseBundledFlow(flowModule.default ?? flowModule.flow);\n`,
    );
    for (const handler of ['consumer', 'schedule']) {
      const source = runtimeModule(`handlers/${handler}.${fromSource ? 'ts' : 'js'}`);
      writeFileSync(join(entries, `${handler}.mjs`), `import './bundled-flow.mjs';\nexport { handler } from ${specifier(source)};\n`);
    }
    const result = buildSync({
      ...common,
      entryPoints: ['consumer', 'schedule'].map((name) => join(entries, `${name}.mjs`)),
      outdir: dir,
      splitting: true,
      outExtension: { '.js': '.mjs' },
    });
    const inputs = Object.keys(result.metafile!.inputs).map((path) => resolve(process.cwd(), path));
    for (const entry of threadEntries(inputs)) {
      buildSync({ ...common, entryPoints: [entry.source], outfile: join(dir, entry.output) });
    }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
    if (options.configFile) copyFileSync(options.configFile, join(dir, 'dataflow.config.json'));
    const nativePackages = externalPackagesOf(result.metafile!);
    copyPackages(nativePackages, { from: dirname(flowModule), to: join(dir, 'node_modules') });
    return { dir, handlers: LAMBDA_HANDLERS, nativePackages };
  } catch (error) {
    if (!options.outDir) rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not bundle ${options.flowModule} for Lambda: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(entries, { recursive: true, force: true });
  }
}

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  sourcemap: false,
  metafile: true,
  ...(fromSource ? { conditions: ['source'] } : {}),
  external: [...NATIVE_PACKAGES],
  // Bundled CommonJS (parts of the AWS SDK, some of their dependencies) calls require: give ESM one.
  banner: { js: "import{createRequire as __dataflowRequire}from'node:module';const require=__dataflowRequire(import.meta.url);" },
  logLevel: 'silent',
};

/** The native packages the bundle imports (and so must find in node_modules). */
function externalPackagesOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const { path, external } of output.imports) {
      const name = path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]!;
      if (external && (NATIVE_PACKAGES as readonly string[]).includes(name)) found.add(name);
    }
  }
  return [...found].sort();
}

/**
 * Worker threads' entries: a `new URL('./<name>.js', import.meta.url)` in a bundled source names a
 * file that must sit beside the bundle, where `import.meta.url` then points. Its source is the
 * `.js` file, or from the sources the `.ts` beside it.
 */
function threadEntries(inputs: string[]): { source: string; output: string }[] {
  const found = new Map<string, { source: string; output: string }>();
  const urls = /new URL\(([^()]*?),\s*import\.meta\.url\s*\)/g;
  const jsNames = /['"](\.\/[\w.-]+\.js)['"]/g;
  for (const input of inputs) {
    if (!/\.[cm]?[jt]s$/.test(input) || !existsSync(input)) continue;
    const named = [...readFileSync(input, 'utf8').matchAll(urls)].flatMap(([, first]) => [...first!.matchAll(jsNames)].map(([, relative]) => relative!));
    for (const relative of named) {
      const js = resolve(dirname(input), relative);
      const source = existsSync(js) ? js : js.replace(/\.js$/, '.ts');
      if (!existsSync(source)) continue;
      const output = basename(js);
      const other = found.get(output);
      if (other && other.source !== source) throw new Error(`two worker thread entries are both named ${output}: ${other.source} and ${source}`);
      found.set(output, { source, output });
    }
  }
  return [...found.values()];
}
