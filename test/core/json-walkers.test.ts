/** The message checks that must hold for input nested far deeper than the call stack allows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidMessageError } from '../../src/core/errors.js';
import { checkDepth, hasNul, jsonText, maxMessageDepth, nestsDeeperThan, withoutNul } from '../../src/core/json-walkers.js';

const nested = (levels: number, leaf: unknown = 'x'): unknown => JSON.parse(`${'['.repeat(levels)}${JSON.stringify(leaf)}${']'.repeat(levels)}`);

describe('json walkers', () => {
  it('refuse a message one level past the limit, naming the message and the limit, and take one at it', () => {
    const at = { type: 'please-x', id: 'm1', deep: nested(maxMessageDepth - 1) };
    const past = { type: 'please-x', id: 'm1', deep: nested(maxMessageDepth) };
    assert.equal(nestsDeeperThan(at, maxMessageDepth), false);
    assert.doesNotThrow(() => checkDepth(at));
    assert.throws(() => checkDepth(past), (error: Error) => error instanceof InvalidMessageError && /please-x m1 nests deeper than 64 levels/.test(error.message));
  });

  it('walk 100,000 levels without overflowing the stack', () => {
    const deep = { type: 'please-x', deep: nested(100_000, 'a\0b') };
    assert.equal(nestsDeeperThan(deep, maxMessageDepth), true);
    assert.equal(hasNul(deep), true);
    const clean = withoutNul(deep);
    assert.equal(hasNul(clean), false);
    const text = jsonText(clean)!;
    assert.ok(text.startsWith(`{"type":"please-x","deep":${'['.repeat(100_000)}"a\ufffdb"]`), text.slice(0, 80));
    assert.equal(text.length, JSON.stringify({ type: 'please-x', deep: [] }).length - 2 + 200_000 + 5);
  });

  it('write what JSON.stringify writes, and copy what the recursive copy copied', () => {
    const values: unknown[] = [
      { a: 1, b: [1, 'two', null, true, { c: undefined, d: () => 1 }], e: { f: { g: [[], {}] } }, n: Number.NaN },
      [undefined, () => 1, Symbol('s'), -0, 1e21, 'quote " and \\ and \n'],
      { when: new Date(0), nested: { toJSON: (key: string) => `key ${key}` } },
      JSON.parse('{"__proto__": {"polluted": true}, "x\\u0000y": "z"}'),
      'text',
      42,
      null,
    ];
    for (const value of values) assert.equal(jsonText(value), JSON.stringify(value));
    const proto = withoutNul(JSON.parse('{"__proto__": {"polluted": "a\\u0000"}}'));
    assert.deepEqual(Object.keys(proto), ['__proto__'], 'a "__proto__" key stays a key');
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(withoutNul({ 'k\0': ['v\0', 1, { x: null }] }), { 'k\ufffd': ['v\ufffd', 1, { x: null }] });
    assert.throws(() => jsonText((() => { const a: unknown[] = []; a.push(a); return a; })()), /circular/);
  });
});
