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

/** Static imports and exports, and dynamic imports of a literal; `typeOnly` for `import type`, gone at run time. */
function imports(file: string): { specifier: string; typeOnly: boolean }[] {
  const text = readFileSync(file, 'utf8');
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b([^'"]*?)\bfrom\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    found.push({ specifier: match[2] ?? match[3] ?? match[4]!, typeOnly: /^\s*type\b/.test(match[1] ?? '') });
  }
  return found;
}

const specifiers = (file: string) => imports(file).map((found) => found.specifier);

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const publicEntries = new Set(Object.keys(manifest.exports).map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`)));
const builtins = new Set(builtinModules);

describe('layering', () => {
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

  it('the framework (src/) imports no example', () => {
    const wrong: string[] = [];
    for (const file of sources('src')) {
      for (const specifier of specifiers(file)) {
        const intoExamples = specifier.startsWith('.') && relative(join(root, 'examples'), resolve(dirname(file), specifier)).split(sep)[0] !== '..';
        if (intoExamples || specifier.startsWith(`${manifest.name}/examples/`)) wrong.push(`${relative(root, file)}: ${specifier}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
