/**
 * The views a flow contributes (core/flow-view.ts): checked once when the dashboard starts, and
 * each answer of their `load` checked and copied field by field into the shape the page knows,
 * so the page gets nothing else (no payloads a view let slip, no locations outside the store, no
 * links out of the dashboard). A wrong answer is the view's bug: its error names the field.
 */
import type { FlowView, FlowViewContent, ViewCard, ViewCell, ViewField, ViewImage, ViewLink } from '../../core/flow-view.js';
import type { Location } from '../../core/message.js';
import { assertSafeLocation } from '../../ports/blob-store.js';
import type { MessageStatus } from '../../ports/state-store.js';

const ID = /^[a-z][a-z0-9-]{0,39}$/;
const MAX_TEXT = 2000;
const MAX_COLUMNS = 20;
const MAX_PARTS = 50; // images, fields or links of one card
const statuses: readonly MessageStatus[] = ['pending', 'done', 'dead'];

export class ViewAnswerError extends Error {
  override name = 'ViewAnswerError';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

/** The views as given, after checking what the page and the API rely on; none when absent. */
export function checkViews(views: unknown): readonly FlowView[] {
  if (views === undefined) return [];
  if (!Array.isArray(views)) throw new Error(`views must be an array of { id, title, load }, got ${describe(views)}`);
  const seen = new Set<string>();
  views.forEach((view: Partial<FlowView> | null, i) => {
    const name = `views[${i}]`;
    if (typeof view !== 'object' || view === null) throw new Error(`${name} must be { id, title, load }, got ${describe(view)}`);
    if (typeof view.id !== 'string' || !ID.test(view.id)) throw new Error(`${name}.id must be 1 to 40 lowercase letters, digits and dashes, a letter first, got ${describe(view.id)}`);
    const named = `the view "${view.id}"`;
    if (seen.has(view.id)) throw new Error(`two views have the id "${view.id}"`);
    seen.add(view.id);
    if (typeof view.title !== 'string' || view.title.trim() === '' || view.title.length > 80) throw new Error(`${named}: title must be text of 1 to 80 characters, got ${describe(view.title)}`);
    if (view.description !== undefined && (typeof view.description !== 'string' || view.description.length > 300)) throw new Error(`${named}: description must be text of at most 300 characters, got ${describe(view.description)}`);
    if (view.changesOn !== undefined && (!Array.isArray(view.changesOn) || !view.changesOn.every((type) => typeof type === 'string' && type !== ''))) {
      throw new Error(`${named}: changesOn must be an array of message types, got ${describe(view.changesOn)}`);
    }
    if (typeof view.load !== 'function') throw new Error(`${named}: load must be a function, got ${describe(view.load)}`);
  });
  return views as FlowView[];
}

/** Reads one answer, naming the path of whatever is wrong. */
function reader(view: string) {
  const fail = (path: string, what: string, value: unknown): never => {
    throw new ViewAnswerError(`the view "${view}" answered with ${path} ${what}, got ${describe(value)}`);
  };
  const text = (value: unknown, path: string): string => {
    if (typeof value !== 'string') return fail(path, 'that is not text', value);
    if (value.length > MAX_TEXT) return fail(path, `longer than ${MAX_TEXT} characters`, value);
    return value;
  };
  const optionalText = (value: unknown, path: string) => (value === undefined ? undefined : text(value, path));
  const number = (value: unknown, path: string): number => (typeof value === 'number' && Number.isFinite(value) ? value : fail(path, 'that is not a finite number', value));
  const list = (value: unknown, path: string, max = Number.POSITIVE_INFINITY): unknown[] => {
    if (!Array.isArray(value)) return fail(path, 'that is not an array', value);
    if (value.length > max) return fail(path, `of more than ${max} items`, value);
    return value;
  };
  const object = (value: unknown, path: string): Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : fail(path, 'that is not an object', value);
  const location = (value: unknown, path: string): Location => {
    const given = object(value, path);
    const copy = { Bucket: text(given.Bucket, `${path}.Bucket`), Key: text(given.Key, `${path}.Key`) };
    try {
      assertSafeLocation(copy);
    } catch (error) {
      fail(path, `that is no blob location (${(error as Error).message})`, `${copy.Bucket}/${copy.Key}`);
    }
    return copy;
  };

  const link = (value: unknown, path: string): ViewLink => {
    const given = object(value, path);
    const label = text(given.text, `${path}.text`);
    if (given.messageId !== undefined) return { text: label, messageId: text(given.messageId, `${path}.messageId`) };
    if (given.blob !== undefined) return { text: label, blob: location(given.blob, `${path}.blob`) };
    if (given.search !== undefined) {
      const search = object(given.search, `${path}.search`);
      if (search.status !== undefined && !statuses.includes(search.status as MessageStatus)) fail(`${path}.search.status`, `that is not one of ${statuses.join(', ')}`, search.status);
      return {
        text: label,
        search: { type: optionalText(search.type, `${path}.search.type`), key: optionalText(search.key, `${path}.search.key`), status: search.status as MessageStatus | undefined },
      };
    }
    return fail(path, 'that has none of messageId, search, blob', value);
  };
  const image = (value: unknown, path: string): ViewImage => {
    const given = object(value, path);
    return {
      location: location(given.location, `${path}.location`),
      alt: text(given.alt, `${path}.alt`),
      caption: optionalText(given.caption, `${path}.caption`),
      messageId: optionalText(given.messageId, `${path}.messageId`),
    };
  };
  const field = (value: unknown, path: string): ViewField => {
    const given = object(value, path);
    return { label: text(given.label, `${path}.label`), value: typeof given.value === 'number' ? number(given.value, `${path}.value`) : text(given.value, `${path}.value`) };
  };
  const card = (value: unknown, path: string): ViewCard => {
    const given = object(value, path);
    return {
      id: text(given.id, `${path}.id`),
      key: optionalText(given.key, `${path}.key`),
      title: text(given.title, `${path}.title`),
      subtitle: optionalText(given.subtitle, `${path}.subtitle`),
      image: given.image === undefined ? undefined : image(given.image, `${path}.image`),
      images: given.images === undefined ? undefined : list(given.images, `${path}.images`, MAX_PARTS).map((item, i) => image(item, `${path}.images[${i}]`)),
      fields: given.fields === undefined ? undefined : list(given.fields, `${path}.fields`, MAX_PARTS).map((item, i) => field(item, `${path}.fields[${i}]`)),
      links: given.links === undefined ? undefined : list(given.links, `${path}.links`, MAX_PARTS).map((item, i) => link(item, `${path}.links[${i}]`)),
    };
  };
  const cell = (value: unknown, path: string): ViewCell => (typeof value === 'number' ? number(value, path) : typeof value === 'string' ? text(value, path) : link(value, path));

  return { fail, text, optionalText, list, object, card, cell };
}

/** The answer of a view's `load`, checked, with only the known fields, and at most `limit` cards or rows. */
export function viewContent(view: string, answer: unknown, limit: number): FlowViewContent {
  const read = reader(view);
  const given = read.object(answer, 'its whole answer');
  const empty = read.optionalText(given.empty, 'empty');
  if (given.kind === 'gallery') {
    const cards = read.list(given.cards, 'cards').slice(0, limit).map((card, i) => read.card(card, `cards[${i}]`));
    const ids = new Set<string>();
    cards.forEach((card, i) => (ids.has(card.id) ? read.fail(`cards[${i}].id`, 'that another card has too', card.id) : ids.add(card.id)));
    return { kind: 'gallery', cards, empty };
  }
  if (given.kind === 'table') {
    const columns = read.list(given.columns, 'columns', MAX_COLUMNS).map((column, i) => read.text(column, `columns[${i}]`));
    const rows = read.list(given.rows, 'rows').slice(0, limit).map((row, i) => {
      const cells = read.list(row, `rows[${i}]`);
      if (cells.length !== columns.length) throw new ViewAnswerError(`the view "${view}" answered with rows[${i}] of ${cells.length} cells, not one for each of the ${columns.length} columns`);
      return cells.map((cell, j) => read.cell(cell, `rows[${i}][${j}]`));
    });
    return { kind: 'table', columns, rows, empty };
  }
  return read.fail('kind', 'that is neither "gallery" nor "table"', given.kind);
}
