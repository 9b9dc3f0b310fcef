// #/views/<id>: a view the flow contributes. The server sends data of a known shape, checked
// (a gallery of cards, or a table); this builds it from text and attributes only. Cards with
// keys can be narrowed to one key.
import { api, withQuery } from '../api.js';
import { clear, h } from '../dom.js';
import { galleryShower } from './view-gallery.js';
import { viewTable } from './view-table.js';

export function mount(root, { meta, id, query }) {
  const view = meta.views.find((v) => v.id === id);
  const key = query.key || undefined;
  const here = `#/views/${encodeURIComponent(id)}`;
  const picker = h('select', { name: 'key', 'aria-label': 'key', hidden: true, onchange: (e) => (location.hash = withQuery(here, { key: e.target.value })) });
  const body = h('div', { class: 'view-body' });
  root.append(
    h('section', { class: 'view contributed-view', 'data-flow-view': id },
      h('div', { class: 'view-head' }, h('h1', null, view.title), view.description ? h('p', { class: 'muted' }, view.description) : null, h('div', { class: 'head-tools' }, picker)),
      body,
    ),
  );
  const showGallery = galleryShower(body);

  const offerKeys = (keys) => {
    const known = new Set([...picker.options].map((o) => o.value));
    if (picker.options.length === 0) picker.append(h('option', { value: '' }, 'every key'));
    for (const k of [...keys, key].filter((k) => k !== undefined && !known.has(k))) picker.append(h('option', { value: k }, k));
    picker.value = key ?? '';
    picker.hidden = picker.options.length < 2;
  };

  return {
    topics: [`view:${id}`],
    async refresh() {
      const content = await api(withQuery(`/api/views/${encodeURIComponent(id)}`, { key }));
      if (content.kind === 'gallery') {
        offerKeys(content.cards.map((c) => c.key));
        showGallery(content);
      } else {
        offerKeys([]);
        clear(body, viewTable(content));
      }
    },
  };
}
