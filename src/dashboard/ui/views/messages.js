// #/messages: search the message log by type, key, status and time, newest first, paged.
import { api, withQuery } from '../api.js';
import { idLink, pager, statusBadge, typeBadge } from '../components.js';
import { clear, h } from '../dom.js';
import { utc, when } from '../format.js';

const toLocalInput = (ms) => {
  if (!ms) return '';
  const d = new Date(Number(ms));
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (text) => (text ? String(new Date(text).getTime()) : '');

export function messageRows(messages, { showReason = false } = {}) {
  return messages.map((m) =>
    h('tr', { 'data-id': m.id, 'data-type': m.type },
      h('td', { class: 'nowrap', title: new Date(m.createdAt).toISOString() }, when(m.createdAt)),
      h('td', null, h('a', { href: `#/messages/${encodeURIComponent(m.id)}` }, typeBadge(m.type))),
      h('td', { class: 'key' }, m.key ?? ''),
      h('td', { class: 'nowrap muted' }, m.validTime !== undefined ? utc(m.validTime) : ''),
      h('td', null, statusBadge(m.status)),
      showReason ? h('td', { class: 'reason' }, m.reason ?? '') : h('td', { class: 'num' }, m.attempts),
      h('td', null, idLink(m.id)),
    ),
  );
}

export function messageTable(rows, { showReason = false } = {}) {
  return h('table', { class: 'messages' },
    h('thead', null, h('tr', null, ['Recorded', 'Type', 'Key', 'Valid time', 'Status', showReason ? 'Reason' : 'Attempts', 'Id'].map((t) => h('th', null, t)))),
    h('tbody', null, rows),
  );
}

export function mount(root, { meta, query }) {
  const field = (label, input) => h('label', null, h('span', null, label), input);
  const type = h('select', { name: 'type' }, h('option', { value: '' }, 'any type'), meta.types.map((t) => h('option', { value: t }, t)));
  if (query.type && !meta.types.includes(query.type)) type.append(h('option', { value: query.type }, query.type));
  type.value = query.type ?? '';
  const key = h('input', { name: 'key', type: 'search', placeholder: 'any', value: query.key ?? '' });
  const status = h('select', { name: 'status' }, ['', 'pending', 'done', 'dead'].map((s) => h('option', { value: s }, s === '' ? 'any status' : s === 'dead' ? 'failed (dead)' : s === 'pending' ? 'in flight' : s)));
  status.value = query.status ?? '';
  const from = h('input', { name: 'from', type: 'datetime-local', value: toLocalInput(query.from) });
  const to = h('input', { name: 'to', type: 'datetime-local', value: toLocalInput(query.to) });
  const form = h('form', { class: 'panel search', onsubmit: (e) => {
    e.preventDefault();
    location.hash = withQuery('#/messages', { type: type.value, key: key.value, status: status.value, from: fromLocalInput(from.value), to: fromLocalInput(to.value) });
  } },
    field('Type', type), field('Key', key), field('Status', status), field('Recorded from', from), field('to', to),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Search'), h('a', { class: 'button secondary', href: '#/messages' }, 'Clear')),
  );
  const results = h('div', { class: 'panel table-panel' });
  const search = { type: query.type, key: query.key, status: query.status, from: query.from, to: query.to };
  const pages = pager((cursor) => load(cursor));
  const element = h('section', { class: 'view messages-view' }, h('div', { class: 'view-head' }, h('h1', null, 'Messages'), h('p', { class: 'muted' }, 'Every message in and out, as the state store records it.')), form, results, pages.element);
  root.append(element);

  async function load(cursor) {
    const page = await api(withQuery('/api/messages', { ...search, cursor, limit: 50 }));
    clear(results, page.messages.length ? messageTable(messageRows(page.messages)) : h('p', { class: 'empty' }, 'No messages match.'));
    pages.show(page, page.messages.length);
  }

  return {
    topics: ['messages'],
    // Live updates keep the newest page current; an older page stays as it was while read.
    refresh: () => (pages.cursor === undefined ? load(undefined) : Promise.resolve()),
  };
}
