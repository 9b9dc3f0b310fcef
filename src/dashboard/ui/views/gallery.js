// #/gallery: the latest GIFs per imageId, playing, with their thumbnails, the valid times they
// cover and the mail each went out in.
import { api, blobUrl, messageHref, withQuery } from '../api.js';
import { clear, h } from '../dom.js';
import { full, utc, utcTime } from '../format.js';

function card(item) {
  const frames = item.thumbnails.length;
  return h('article', { class: 'panel gif-card', 'data-gif-message-id': item.gifMessageId },
    h('a', { class: 'gif-frame', href: messageHref(item.gifMessageId), title: 'open the GIF\'s message and causal chain' },
      h('img', { class: 'gif', src: blobUrl(item.gif), alt: `${item.imageId}, ${utc(item.validFrom)} to ${utc(item.validTo)}` })),
    h('div', { class: 'gif-body' },
      h('p', { class: 'valid' }, h('span', { class: 'muted' }, 'valid '), `${utc(item.validFrom)} → ${utcTime(item.validTo)}`, frames ? h('span', { class: 'muted' }, ` · ${frames} frames`) : null),
      h('div', { class: 'thumbs' },
        item.thumbnails.map((t) =>
          h('figure', { class: 'thumb' }, h('img', { src: blobUrl(t.location), alt: `frame at ${utc(t.validTime)}`, loading: 'lazy' }), h('figcaption', null, utcTime(t.validTime))),
        ),
      ),
      item.email
        ? h('div', { class: 'mail' },
            h('p', { class: 'mail-subject' }, h('span', { class: 'mail-icon', 'aria-hidden': 'true' }, '✉'), item.email.subject),
            h('p', { class: 'muted' }, `to ${item.email.to.join(', ')} · sent ${full(item.email.sentAt)}`),
          )
        : h('p', { class: 'mail pending muted' }, 'Mail not sent yet'),
      h('p', { class: 'links' },
        h('a', { class: 'chain-link', href: messageHref(item.gifMessageId) }, 'Causal chain →'),
        item.email ? h('a', { href: messageHref(item.email.messageId) }, 'Mail message →') : null,
      ),
    ),
  );
}

export function mount(root, { query }) {
  const imageId = query.imageId || undefined;
  const picker = h('select', { 'aria-label': 'imageId', onchange: (e) => (location.hash = withQuery('#/gallery', { imageId: e.target.value })) });
  const body = h('div', { class: 'gallery' });
  const element = h('section', { class: 'view gallery-view' },
    h('div', { class: 'view-head' }, h('h1', null, 'Gallery'), h('p', { class: 'muted' }, 'The latest GIFs, newest first. New ones appear by themselves.'), h('div', { class: 'head-tools' }, picker)),
    body,
  );
  root.append(element);
  const cards = new Map(); // gifMessageId -> { json, node }: unchanged cards keep their element (and their GIF keeps playing)

  return {
    topics: ['gallery'],
    async refresh() {
      const { items } = await api(withQuery('/api/gallery', { imageId, limit: 24 }));
      const ids = [...new Set(items.map((i) => i.imageId))];
      const known = new Set([...picker.options].map((o) => o.value));
      if (picker.options.length === 0) picker.append(h('option', { value: '' }, 'every imageId'));
      for (const id of [...ids, imageId].filter((id) => id !== undefined && !known.has(id))) picker.append(h('option', { value: id }, id));
      picker.value = imageId ?? '';

      if (items.length === 0) {
        clear(body, h('p', { class: 'panel empty' }, 'No GIFs yet. They appear here as soon as the flow makes one.'));
        return;
      }
      const sections = ids.map((id) => {
        const mine = items.filter((i) => i.imageId === id);
        const nodes = mine.map((item) => {
          const json = JSON.stringify(item);
          const cached = cards.get(item.gifMessageId);
          if (cached?.json === json) return cached.node;
          const node = card(item);
          cards.set(item.gifMessageId, { json, node });
          return node;
        });
        return h('section', { class: 'image-group', 'data-image-id': id },
          h('h2', null, h('span', { class: 'image-id' }, id), h('span', { class: 'muted' }, ` · ${mine.length} GIF${mine.length === 1 ? '' : 's'}`)),
          h('div', { class: 'gif-grid' }, nodes),
        );
      });
      clear(body, sections);
    },
  };
}
