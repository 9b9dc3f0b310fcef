/**
 * The README's code blocks marked with the file they show are that file: a block after
 * `<!-- file: path -->` is the whole file, a block after `<!-- from: path -->` is a run of its
 * lines. What a reader copies is what the examples' own tests run, and .ci/packed-install.sh runs
 * the README's doubling flow as a user would save it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { markedSnippets, type Snippet } from './readme-snippets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');

function fileOf(snippet: Snippet): string {
  const path = `${root}${snippet.path}`;
  assert.ok(existsSync(path), `README line ${snippet.line} shows ${snippet.path}, which does not exist`);
  return readFileSync(path, 'utf8');
}

describe('the README shows the example files as they are', () => {
  const snippets = markedSnippets(readme);

  it('marks the doubling flow whole and a part of its test', () => {
    const marked = snippets.map((s) => `${s.kind}: ${s.path}`);
    assert.ok(marked.includes('file: examples/doubling/flow.mjs'), `marked blocks: ${marked.join(', ') || 'none'}`);
    assert.ok(marked.includes('from: examples/doubling/flow.test.mjs'), `marked blocks: ${marked.join(', ') || 'none'}`);
  });

  for (const snippet of snippets) {
    it(`README line ${snippet.line}: ${snippet.kind} ${snippet.path}`, () => {
      const file = fileOf(snippet);
      if (snippet.kind === 'file') {
        assert.equal(snippet.code, file, `the README's block at line ${snippet.line} differs from ${snippet.path}: copy the file into it`);
      } else {
        const lines = file.split('\n');
        const part = snippet.code.replace(/\n$/, '').split('\n');
        const at = lines.findIndex((_, i) => part.every((line, j) => lines[i + j] === line));
        assert.notEqual(at, -1, `the README's block at line ${snippet.line} is not a run of lines of ${snippet.path}: copy them again`);
      }
    });
  }
});

describe('reading the marks', () => {
  it('takes the fenced block right after a mark, and nothing unmarked', () => {
    const text = ['```js', 'unmarked', '```', '<!-- file: a.mjs -->', '```js', 'one', 'two', '```', '<!-- from: b.mjs -->', '```', 'three', '```'].join('\n');
    assert.deepEqual(markedSnippets(text), [
      { kind: 'file', path: 'a.mjs', line: 4, code: 'one\ntwo\n' },
      { kind: 'from', path: 'b.mjs', line: 9, code: 'three\n' },
    ]);
  });

  it('refuses a mark with no block after it, an unclosed block and an unknown kind, naming the line', () => {
    assert.throws(() => markedSnippets('<!-- file: a.mjs -->\n\ntext'), /line 1: <!-- file: a.mjs --> is not followed by a fenced code block/);
    assert.throws(() => markedSnippets('x\n<!-- file: a.mjs -->\n```js\none'), /line 2: the code block after <!-- file: a.mjs --> is never closed/);
    assert.throws(() => markedSnippets('<!-- copy: a.mjs -->\n```\n```'), /line 1: unknown mark "copy"; use <!-- file: path --> or <!-- from: path -->/);
  });
});
