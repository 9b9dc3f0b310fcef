/**
 * The dashboard knows no flow, and a flow knows the dashboard only by the package's public entry
 * points: read from the source files' import specifiers (static, dynamic, `export … from`,
 * `import.meta.resolve`, `require`), resolved against the folders they name.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const packageJson = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };

const SPECIFIERS = [
  /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\.meta\.resolve\(\s*['"]([^'"]+)['"]/g,
  /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** Every module a source text names. */
function specifiersOf(source: string): string[] {
  return SPECIFIERS.flatMap((pattern) => [...source.matchAll(pattern)].map((match) => match[1]!));
}

function sourceFiles(path: string): string[] {
  const stats = readdirSync(path, { withFileTypes: true });
  return stats.flatMap((entry) => {
    const full = join(path, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

/** Each import of these files: the file, the specifier, and the repository path it resolves to when relative. */
function importsOf(files: string[]) {
  return files.flatMap((file) =>
    specifiersOf(readFileSync(file, 'utf8')).map((specifier) => ({
      file: relative(repo, file).split(sep).join('/'),
      specifier,
      target: specifier.startsWith('.') ? relative(repo, resolve(dirname(file), specifier)).split(sep).join('/') : undefined,
    })),
  );
}

const publicEntries = new Set(Object.keys(packageJson.exports).map((subpath) => (subpath === '.' ? packageJson.name : `${packageJson.name}/${subpath.slice(2)}`)));

it('reads every kind of import specifier', () => {
  const source = `import { a } from './a.js';\nimport type {\n  B,\n} from "../b.js";\nimport './side.js';\nexport * from './c.js';\nconst d = await import('dataflow/examples/weather');\nimport.meta.resolve('e');\nrequire('f');`;
  assert.deepEqual(specifiersOf(source).sort(), ['../b.js', './a.js', './c.js', './side.js', 'dataflow/examples/weather', 'e', 'f']);
});

it('nothing under src/dashboard, nor the command line\'s dashboard, imports a flow', () => {
  const files = [...sourceFiles(join(repo, 'src/dashboard')), join(repo, 'src/dashboard.ts'), join(repo, 'src/cli/dashboard.ts')];
  assert.ok(files.length > 20, `found the dashboard's files (${files.length})`);
  const imports = importsOf(files);
  const offending = imports.filter(({ specifier, target }) => specifier.startsWith(`${packageJson.name}/examples`) || target?.startsWith('examples/') || target?.startsWith('test/'));
  assert.deepEqual(offending, []);
  // The dashboard reaches only the framework's own code, the page's files and its libraries.
  const outside = imports.filter(({ target }) => target !== undefined && !target.startsWith('src/'));
  assert.deepEqual(outside, []);
});

it('no flow imports the framework but by its public entry points', () => {
  const files = sourceFiles(join(repo, 'examples'));
  assert.ok(files.some((file) => file.endsWith('weather/gallery.ts')), 'the weather gallery is among them');
  const imports = importsOf(files);
  const intoFramework = imports.filter(({ target }) => target !== undefined && !target.startsWith('examples/'));
  assert.deepEqual(intoFramework, [], 'a relative import that leaves examples/');
  const privateEntry = imports.filter(({ specifier }) => (specifier === packageJson.name || specifier.startsWith(`${packageJson.name}/`)) && !publicEntries.has(specifier));
  assert.deepEqual(privateEntry, [], `only ${[...publicEntries].join(', ')}`);
  assert.ok(imports.some(({ file, specifier }) => file === 'examples/weather/gallery.ts' && specifier === packageJson.name), 'the gallery imports its view types from the package');
});
