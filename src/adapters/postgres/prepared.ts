/**
 * Statements run often, as named prepared statements: PostgreSQL parses each once per
 * connection, and after a few runs keeps one plan for it, where an unnamed statement is parsed
 * and planned anew at every run. On the cluster's hot path (a settle, a fetch, an attempt begun)
 * planning cost about as much as running.
 *
 * The name is a digest of the text, so the same text is one statement on every connection and
 * two texts never share a name. Their results name their columns: a prepared `SELECT *` would
 * fail once a migration added a column.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Param } from './rows-sql.js';

const names = new Map<string, string>();
/** Texts built at run time come in a few shapes each; past this many, the cache starts over. */
const mostNames = 500;

export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (!name) {
    if (names.size >= mostNames) names.clear();
    name = `dataflow_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    names.set(text, name);
  }
  return { name, text, values };
}

/** Builds a statement's text, each `param(value)` answering the next placeholder (`$1`, `$2`, …), and prepares it. */
export function preparedWith(build: (param: Param) => string): pg.QueryConfig {
  const values: unknown[] = [];
  const text = build((value) => `$${values.push(value)}`);
  return prepared(text, values);
}
