/**
 * Rows sent with a statement, as a `FROM` item. Up to {@link mostListedRows} rows, a `VALUES`
 * list with a parameter per value: its row count is part of the text, so a prepared statement's
 * kept plan (see `./prepared.ts`) counts them right, and PostgreSQL keeps one. Arrays of any
 * length, `unnest`ed, would be planned as if ten rows came, which costs enough more than the one
 * or two a settle brings that PostgreSQL planned each run anew. Past that many, one array per
 * column, so a big batch stays one text and a handful of parameters.
 */

/** Adds a parameter to the statement being built and answers its placeholder. */
export type Param = (value: unknown) => string;

/** A column: its name and SQL type (`text`, `jsonb`, `bigint`, `uuid`). */
export type RowColumn = readonly [name: string, type: string];

export const mostListedRows = 16;

/**
 * `rows` (one value per column each) as `<alias>(columns…, <ordinal>)`: `ordinal` numbers the
 * rows from 1 in the order given, for an `ORDER BY`.
 */
export function rowsSql(alias: string, columns: readonly RowColumn[], rows: readonly unknown[][], param: Param, ordinal = 'n'): string {
  const names = [...columns.map(([name]) => name), ordinal].join(', ');
  if (rows.length > 0 && rows.length <= mostListedRows) {
    const listed = rows.map((row, i) => `(${columns.map(([, type], c) => `${param(row[c])}::${type}`).join(', ')}, ${i + 1})`);
    return `(VALUES ${listed.join(', ')}) AS ${alias}(${names})`;
  }
  const arrays = columns.map(([, type], c) => `${param(rows.map((row) => row[c]))}::${type}[]`);
  return `unnest(${arrays.join(', ')}) WITH ORDINALITY AS ${alias}(${names})`;
}
