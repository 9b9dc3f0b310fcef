// #/dead: the dead letters with their reasons; re-drive some or all, and watch them go through.
import { api, withQuery } from '../api.js';
import { idLink, pager, statusBadge, typeBadge } from '../components.js';
import { clear, h } from '../dom.js';
import { when } from '../format.js';

/** Messages re-driven from this page, newest first, kept while the page is open. */
const redriven = [];

export function mount(root, { meta, toast, refreshDeadCount }) {
  const selected = new Set();
  const table = h('div', { class: 'panel table-panel' });
  const watch = h('div');
  const pages = pager((cursor) => load(cursor));
  const off = !meta.redrive.available;

  const send = async (ids) => {
    try {
      const result = await api('/api/redrive', { method: 'POST', body: ids === 'all' ? { all: true } : { ids } });
      const sent = result.ids ?? (ids === 'all' ? [] : ids);
      redriven.unshift(...sent.filter((id) => !redriven.includes(id)));
      redriven.splice(20);
      selected.clear();
      toast(`Sent ${sent.length} again`, 'ok');
      void refreshDeadCount();
      await Promise.all([load(pages.cursor), showWatched()]);
    } catch (error) {
      toast(error.message, 'error');
    }
  };

  const selectedButton = h('button', { type: 'button', class: 'redrive-selected', disabled: true, onclick: () => send([...selected]) }, 'Re-drive selected');
  let confirmAll = false;
  const allButton = h('button', { type: 'button', class: 'secondary redrive-all', disabled: off, onclick: () => {
    if (!confirmAll) {
      confirmAll = true;
      allButton.textContent = 'Re-drive every dead letter?';
      setTimeout(() => ((confirmAll = false), (allButton.textContent = 'Re-drive all')), 4000);
      return;
    }
    confirmAll = false;
    allButton.textContent = 'Re-drive all';
    void send('all');
  } }, 'Re-drive all');
  const syncButtons = () => (selectedButton.disabled = off || selected.size === 0);

  const element = h('section', { class: 'view dead-view' },
    h('div', { class: 'view-head' },
      h('h1', null, 'Dead letters'),
      h('p', { class: 'muted' }, 'Messages that failed for good, with the reason. Re-driving sends them again, checked anew.'),
      h('div', { class: 'head-tools' }, selectedButton, allButton),
    ),
    off ? h('p', { class: 'panel notice' }, h('strong', null, 'Re-drive is off here: '), meta.redrive.reason) : null,
    watch,
    table,
    pages.element,
  );
  root.append(element);

  async function load(cursor) {
    const page = await api(withQuery('/api/dead', { cursor, limit: 50 }));
    for (const id of [...selected]) if (!page.messages.some((m) => m.id === id)) selected.delete(id);
    syncButtons();
    const rows = page.messages.map((m) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `select ${m.id}`, disabled: off, checked: selected.has(m.id), onchange: (e) => {
        if (e.target.checked) selected.add(m.id);
        else selected.delete(m.id);
        syncButtons();
      } });
      return h('tr', { 'data-id': m.id, 'data-type': m.type },
        h('td', null, box),
        h('td', { class: 'nowrap' }, when(m.updatedAt)),
        h('td', null, h('a', { href: `#/messages/${encodeURIComponent(m.id)}` }, typeBadge(m.type))),
        h('td', { class: 'key' }, m.key ?? ''),
        h('td', { class: 'reason' }, m.reason ?? ''),
        h('td', { class: 'num' }, m.attempts),
        h('td', null, idLink(m.id)),
        h('td', null, h('button', { type: 'button', class: 'small redrive-one', disabled: off, title: off ? meta.redrive.reason : 'send it again', onclick: () => send([m.id]) }, 'Re-drive')),
      );
    });
    allButton.disabled = off || (rows.length === 0 && cursor === undefined);
    clear(table, rows.length
      ? h('table', { class: 'messages dead' }, h('thead', null, h('tr', null, ['', 'Died', 'Type', 'Key', 'Reason', 'Attempts', 'Id', ''].map((t) => h('th', null, t)))), h('tbody', null, rows))
      : h('p', { class: 'empty' }, 'No dead letters. Everything that was sent went through.'));
    pages.show(page, rows.length);
  }

  async function showWatched() {
    if (redriven.length === 0) return clear(watch);
    const found = await Promise.all(redriven.map((id) => api(`/api/messages/${encodeURIComponent(id)}?chain=false`).then((r) => r.message, () => undefined)));
    clear(watch, h('section', { class: 'panel redriven' },
      h('h2', null, 'Re-driven from here'),
      h('ul', { class: 'watch-list' }, found.filter(Boolean).map((m) => h('li', { 'data-id': m.id }, statusBadge(m.status), typeBadge(m.type), m.key !== undefined ? h('span', { class: 'key' }, m.key) : null, idLink(m.id), m.reason && m.status === 'dead' ? h('span', { class: 'reason' }, m.reason) : null))),
    ));
  }

  return {
    topics: ['dead', 'messages'],
    refresh: () => Promise.all([pages.cursor === undefined ? load(undefined) : Promise.resolve(), showWatched()]),
  };
}
