// A flow's gallery view: cards grouped under their keys, each with a picture, small pictures,
// fields and links. Unchanged cards keep their element, so an animated GIF keeps playing.
import { blobUrl, messageHref } from '../api.js';
import { viewLink } from '../components.js';
import { clear, h } from '../dom.js';

function picture(image) {
  const img = h('img', { class: 'card-image', src: blobUrl(image.location), alt: image.alt });
  const framed = image.messageId ? h('a', { class: 'card-picture', href: messageHref(image.messageId), title: 'open its message and causal chain' }, img) : h('div', { class: 'card-picture' }, img);
  return image.caption ? h('figure', { class: 'card-figure' }, framed, h('figcaption', { class: 'muted' }, image.caption)) : framed;
}

function card(item) {
  return h('article', { class: 'panel view-card', 'data-card-id': item.id },
    item.image ? picture(item.image) : null,
    h('div', { class: 'card-body' },
      h('p', { class: 'card-title' }, item.title, item.subtitle ? h('span', { class: 'muted card-subtitle' }, ` · ${item.subtitle}`) : null),
      item.images?.length
        ? h('div', { class: 'card-images' },
            item.images.map((image) =>
              h('figure', { class: 'thumb' },
                h('img', { src: blobUrl(image.location), alt: image.alt, loading: 'lazy' }),
                image.caption ? h('figcaption', null, image.caption) : null,
              ),
            ),
          )
        : null,
      item.fields?.length ? h('dl', { class: 'card-fields' }, item.fields.map((field) => [h('dt', null, field.label), h('dd', { 'data-label': field.label }, String(field.value))])) : null,
      item.links?.length ? h('p', { class: 'links' }, item.links.map((link) => viewLink(link, { class: 'card-link' }))) : null,
    ),
  );
}

/** Shows gallery answers in `body`, one after the other, reusing the cards that did not change. */
export function galleryShower(body) {
  const cards = new Map(); // card id -> { json, node }
  return (content) => {
    if (content.cards.length === 0) {
      clear(body, h('p', { class: 'panel empty' }, content.empty ?? 'Nothing to show yet.'));
      return;
    }
    const keys = [...new Set(content.cards.map((c) => c.key))];
    const groups = keys.map((key) => {
      const mine = content.cards.filter((c) => c.key === key);
      const nodes = mine.map((item) => {
        const json = JSON.stringify(item);
        const cached = cards.get(item.id);
        if (cached?.json === json) return cached.node;
        const node = card(item);
        cards.set(item.id, { json, node });
        return node;
      });
      return h('section', { class: 'card-group', 'data-key': key ?? '' },
        key !== undefined ? h('h2', null, h('span', { class: 'group-key' }, key), h('span', { class: 'muted' }, ` · ${mine.length}`)) : null,
        h('div', { class: 'card-grid' }, nodes),
      );
    });
    clear(body, groups);
  };
}
