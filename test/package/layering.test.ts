/**
 * The layering the layout promises, read off the import specifiers of the sources: an example uses
 * the package's public entry points only (as a user's flow would, from its own folder), and the
 * framework imports no example.
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

const SPECIFIERS = [
  /\b(?:import|export)\s([^'"`;]*?)\sfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*()['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*()['"]([^'"]+)['"]\s*\)/g,
  /\bimport\.meta\.resolve\(\s*()['"]([^'"]+)['"]/g,
  /\brequire\(\s*()['"]([^'"]+)['"]\s*\)/g,
];

/** Every module a source text names (static, dynamic, `export … from`, `import.meta.resolve`, `require`); `typeOnly` for `import type`, gone at run time. */
function importsIn(text: string): { specifier: string; typeOnly: boolean }[] {
  return SPECIFIERS.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => ({ specifier: match[2]!, typeOnly: /^\s*type\b/.test(match[1] ?? '') })));
}

const imports = (file: string) => importsIn(readFileSync(file, 'utf8'));
const specifiers = (file: string) => imports(file).map((found) => found.specifier);

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const publicEntries = new Set(Object.keys(manifest.exports).map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`)));
const builtins = new Set(builtinModules);

describe('layering', () => {
  it('reads every kind of import specifier', () => {
    const text = `import { a } from './a.js';\nimport type {\n  B,\n} from "../b.js";\nimport './side.js';\nexport * from './c.js';\nconst d = await import('dataflow/examples/weather');\nimport.meta.resolve('e');\nrequire('f');`;
    assert.deepEqual(importsIn(text).map((found) => found.specifier).sort(), ['../b.js', './a.js', './c.js', './side.js', 'dataflow/examples/weather', 'e', 'f']);
    assert.deepEqual(importsIn(text).filter((found) => found.typeOnly).map((found) => found.specifier), ['../b.js']);
  });

  it('finds the imports it checks (the scan is real)', () => {
    const weather = specifiers(join(root, 'examples/weather/index.ts'));
    assert.ok(weather.includes('dataflow'), `examples/weather/index.ts imports ${weather.join(', ')}`);
    assert.ok(weather.includes('./flow.js'));
  });

  for (const example of readdirSync(join(root, 'examples'))) {
    it(`examples/${example} imports only the package's public entry points, its own files and packages`, () => {
      const home = join(root, 'examples', example);
      const wrong: string[] = [];
      for (const file of sources(join('examples', example))) {
        for (const { specifier, typeOnly } of imports(file)) {
          const where = `${relative(root, file)}: ${specifier}`;
          if (specifier.startsWith('.')) {
            const target = resolve(dirname(file), specifier);
            if (!(target + sep).startsWith(home + sep)) wrong.push(`${where} (outside examples/${example})`);
          } else if (specifier.startsWith('node:') || builtins.has(specifier)) {
            continue;
          } else if (packageOf(specifier) === manifest.name) {
            if (!publicEntries.has(specifier)) wrong.push(`${where} (not a public entry point: ${[...publicEntries].join(', ')})`);
          } else if (!typeOnly && !(packageOf(specifier) in manifest.dependencies) && !(packageOf(specifier) in manifest.devDependencies)) {
            wrong.push(`${where} (a package the project does not depend on)`);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('the framework (src/) imports no example: only the command line names the flow it runs by default', () => {
    const wrong: string[] = [];
    const files = sources('src');
    assert.ok(files.some((file) => file.endsWith(join('dashboard', 'server.ts'))), 'the dashboard is among them');
    for (const file of files) {
      for (const specifier of specifiers(file)) {
        const where = `${relative(root, file)}: ${specifier}`;
        const target = specifier.startsWith('.') ? relative(root, resolve(dirname(file), specifier)) : undefined;
        if (target !== undefined && target.split(sep)[0] !== 'src') wrong.push(`${where} (outside src/)`);
        const defaultFlow = relative(root, file) === join('src', 'cli', 'load-flow.ts') && specifier === `${manifest.name}/examples/weather`;
        if (specifier.startsWith(`${manifest.name}/examples/`) && !defaultFlow) wrong.push(where);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
