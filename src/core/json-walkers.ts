/**
 * Checks and copies of message values that never recurse: a message comes from outside, and a
 * recursive walk of one nested 10,000 levels deep overflows the call stack and takes every other
 * message of the batch down with it. Each walker keeps its own stack of what is left to visit.
 */
import { InvalidMessageError } from './errors.js';

/**
 * The deepest a message may nest, counting the message object itself and every object or array
 * inside it as one level each. Deeper ones are refused before any recursive code (schema
 * validation, `JSON.stringify`, a database's JSON parser) sees them. serde_json stops at 128;
 * real messages nest a handful of levels.
 */
export const maxMessageDepth = 64;

type Container = Record<string, unknown> | unknown[];

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/** True when the value nests deeper than `limit` levels; stops looking as soon as it does. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const current = values.pop();
    const depth = depths.pop()!;
    if (!isContainer(current)) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (isContainer(child)) {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * What one walk finds wrong with a message, without recursing: `'too deep'` when it nests deeper
 * than `limit` levels (that stops the walk, and wins, since nothing recursive may see such a value),
 * else `'nul'` when a string or key holds a NUL character (no state store keeps one), else
 * undefined. This runs on every message, in and out: one walk, nothing copied.
 */
export function flawOf(value: unknown, limit = maxMessageDepth): 'too deep' | 'nul' | undefined {
  let nul = false;
  const values: Container[] = [];
  const depths: number[] = [];
  // Strings are looked at where they are found; only containers wait on the stack.
  const visit = (child: unknown, depth: number) => {
    if (typeof child === 'string') nul ||= child.includes('\0');
    else if (isContainer(child)) values.push(child), depths.push(depth);
  };
  visit(value, 1);
  while (values.length > 0) {
    const current = values.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return 'too deep';
    if (Array.isArray(current)) {
      for (const item of current) visit(item, depth + 1);
    } else {
      for (const key of Object.keys(current)) {
        nul ||= key.includes('\0');
        visit(current[key], depth + 1);
      }
    }
  }
  return nul ? 'nul' : undefined;
}

/**
 * Refuses a message from outside that nests deeper than `limit` or holds a NUL character, naming it
 * by its top-level fields; one walk does both (see {@link flawOf}).
 */
export function checkMessage(value: unknown, limit = maxMessageDepth): void {
  const flaw = flawOf(value, limit);
  if (flaw === undefined) return;
  if (flaw === 'nul') throw new InvalidMessageError('the message holds a NUL character (\\u0000), which no state store keeps', ['(text): NUL character']);
  const record = value as { type?: unknown; id?: unknown };
  const name = [typeof record.type === 'string' ? record.type : undefined, typeof record.id === 'string' ? record.id : undefined].filter(Boolean).join(' ');
  throw new InvalidMessageError(`the message${name ? ` ${name}` : ''} nests deeper than ${limit} levels of objects and arrays, the most a message may have`, [
    `(root): nested deeper than ${limit} levels`,
  ]);
}

/** A copy with NUL characters replaced, so a dead letter can be kept by every store (PostgreSQL refuses them). */
export function withoutNul<T>(value: T): T {
  const clean = (v: unknown): unknown => (typeof v === 'string' ? v.replaceAll('\0', '\ufffd') : v);
  const empty = (v: Container): Container => (Array.isArray(v) ? [] : {});
  if (!isContainer(value)) return clean(value) as T;
  const root = empty(value);
  const stack: [Container, Container][] = [[value, root]];
  while (stack.length > 0) {
    const [source, target] = stack.pop()!;
    for (const [key, child] of Object.entries(source)) {
      const copy = isContainer(child) ? empty(child) : clean(child);
      // defineProperty, not assignment: a "__proto__" key from JSON stays a plain key.
      Object.defineProperty(target, Array.isArray(source) ? key : (clean(key) as string), { value: copy, enumerable: true, writable: true, configurable: true });
      if (isContainer(child)) stack.push([child, copy as Container]);
    }
  }
  return root as T;
}

/** What `JSON.stringify` gives for a value, written without recursion, for values too deep for it. */
export function jsonText(value: unknown): string | undefined {
  const prepare = (v: unknown, key: string): unknown => {
    if (typeof v === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
    const toJSON = isContainer(v) ? (v as { toJSON?: unknown }).toJSON : undefined;
    return typeof toJSON === 'function' ? toJSON.call(v, key) : v;
  };
  // undefined for what JSON leaves out: undefined, functions, symbols.
  const primitive = (v: unknown): string | undefined => {
    if (v === null) return 'null';
    if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
    return undefined;
  };
  const root = prepare(value, '');
  if (!isContainer(root)) return primitive(root);

  interface Frame {
    container: Container;
    keys: string[] | undefined;
    next: number;
    written: number;
  }
  const parts: string[] = [];
  const open = new Set<object>();
  const stack: Frame[] = [];
  const enter = (container: Container) => {
    if (open.has(container)) throw new TypeError('Converting circular structure to JSON');
    open.add(container);
    parts.push(Array.isArray(container) ? '[' : '{');
    stack.push({ container, keys: Array.isArray(container) ? undefined : Object.keys(container), next: 0, written: 0 });
  };
  enter(root);
  while (stack.length > 0) {
    const frame = stack.at(-1)!;
    const length = frame.keys ? frame.keys.length : (frame.container as unknown[]).length;
    if (frame.next >= length) {
      parts.push(frame.keys ? '}' : ']');
      open.delete(frame.container);
      stack.pop();
      continue;
    }
    const index = frame.next++;
    const key = frame.keys ? frame.keys[index]! : String(index);
    const child = prepare((frame.container as Record<string, unknown>)[key], key);
    const text = isContainer(child) ? undefined : primitive(child);
    if (frame.keys && !isContainer(child) && text === undefined) continue; // a property JSON leaves out
    if (frame.written++ > 0) parts.push(',');
    if (frame.keys) parts.push(JSON.stringify(key), ':');
    if (isContainer(child)) enter(child);
    else parts.push(text ?? 'null');
  }
  return parts.join('');
}
