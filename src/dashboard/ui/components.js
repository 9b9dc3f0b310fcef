// Small pieces several views share: badges, links, a pager.
import { blobUrl, messageHref, searchHref } from './api.js';
import { h } from './dom.js';
import { shortId } from './format.js';

const STATUS_TEXT = { pending: 'in flight', done: 'done', dead: 'failed' };

export function statusBadge(status) {
  return h('span', { class: ['badge', `status-${status}`], 'data-status': status }, STATUS_TEXT[status] ?? status);
}

export function typeBadge(type) {
  const kind = type.startsWith('please-') ? 'please' : type.startsWith('did-') ? 'did' : 'other';
  return h('span', { class: ['type', kind] }, type);
}

export function idLink(id) {
  return h('a', { class: 'id', href: messageHref(id), title: id }, shortId(id));
}

/** Where a link of a flow's view goes: a message's page, a search of messages, or a blob; always inside the dashboard. */
export function viewLinkHref(link) {
  if (link.messageId !== undefined) return messageHref(link.messageId);
  if (link.search !== undefined) return searchHref(link.search);
  return blobUrl(link.blob);
}

export function viewLink(link, props = {}) {
  return h('a', { ...props, href: viewLinkHref(link) }, link.text);
}

/** "Newer" and "Older" buttons over cursor pages; `load(cursor)` fetches a page. */
export function pager(load) {
  const stack = [];
  let current;
  let next;
  const newer = h('button', { type: 'button', class: 'secondary', onclick: () => go(stack.pop(), false) }, '← Newer');
  const older = h('button', { type: 'button', class: 'secondary', onclick: () => go(next, true) }, 'Older →');
  const label = h('span', { class: 'muted' });
  const element = h('div', { class: 'pager' }, newer, label, older);
  const go = async (cursor, forward) => {
    if (forward) stack.push(current);
    current = cursor;
    await load(cursor);
  };
  return {
    element,
    /** The cursor of the page shown: undefined on the first (newest) page. */
    get cursor() {
      return current;
    },
    show(page, shown) {
      next = page.next;
      newer.disabled = stack.length === 0 && current === undefined;
      older.disabled = !next;
      label.textContent = `page ${stack.length + 1} · ${shown} shown`;
      element.hidden = newer.disabled && older.disabled;
    },
  };
}
