/** The message checks that must hold for input nested far deeper than the call stack allows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidMessageError } from '../../src/core/errors.js';
import { checkMessage, flawOf, jsonText, maxMessageDepth, nestsDeeperThan, withoutNul } from '../../src/core/json-walkers.js';

const nested = (levels: number, leaf: unknown = 'x'): unknown => JSON.parse(`${'['.repeat(levels)}${JSON.stringify(leaf)}${']'.repeat(levels)}`);

describe('json walkers', () => {
  it('refuse a message one level past the limit, naming the message and the limit, and take one at it', () => {
    const at = { type: 'please-x', id: 'm1', deep: nested(maxMessageDepth - 1) };
    const past = { type: 'please-x', id: 'm1', deep: nested(maxMessageDepth) };
    assert.equal(nestsDeeperThan(at, maxMessageDepth), false);
    assert.doesNotThrow(() => checkMessage(at));
    assert.throws(() => checkMessage(past), (error: Error) => error instanceof InvalidMessageError && /please-x m1 nests deeper than 64 levels/.test(error.message));
  });

  it('walk 100,000 levels without overflowing the stack', () => {
    const deep = { type: 'please-x', deep: nested(100_000, 'a\0b') };
    assert.equal(nestsDeeperThan(deep, maxMessageDepth), true);
    assert.equal(flawOf(deep, 200_000), 'nul');
    const clean = withoutNul(deep);
    assert.equal(flawOf(clean, 200_000), undefined);
    const text = jsonText(clean)!;
    assert.ok(text.startsWith(`{"type":"please-x","deep":${'['.repeat(100_000)}"a\ufffdb"]`), text.slice(0, 80));
    assert.equal(text.length, JSON.stringify({ type: 'please-x', deep: [] }).length - 2 + 200_000 + 5);
  });

  it('tell a message too deep and one holding a NUL in one walk that reads each object once', () => {
    assert.equal(flawOf({ type: 'please-x', note: 'a\0b' }), 'nul');
    assert.equal(flawOf({ type: 'please-x', ['k\0']: 1 }), 'nul', 'in a key too');
    assert.equal(flawOf({ type: 'please-x', note: 'ab', list: [1, null, true, 'c'] }), undefined);
    assert.equal(flawOf({ nul: 'a\0b', deep: nested(maxMessageDepth) }), 'too deep', 'too deep wins: nothing recursive may see it');
    assert.throws(() => checkMessage({ type: 'please-x', note: 'a\0b' }), (error: Error) => error instanceof InvalidMessageError && /NUL character/.test(error.message));
    const cycle: unknown[] = [];
    cycle.push(cycle);
    assert.equal(flawOf(cycle), 'too deep', 'a cycle ends the walk too');

    // Every message in and out is walked: count how often the checks list each object's keys.
    let listed = 0;
    const counted = <T extends object>(target: T): T => new Proxy(target, { ownKeys: (t) => (listed++, Reflect.ownKeys(t)) });
    const message = counted({ type: 'please-x', id: 'm1', payload: counted({ layers: ['a', 'b'], where: counted({ x: 1, note: 'ok' }) }) });
    assert.doesNotThrow(() => checkMessage(message));
    assert.equal(listed, 3, 'the keys of each of the 3 objects listed once, by one walk');
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
