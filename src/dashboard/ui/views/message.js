// #/messages/<id>: one message: what it holds, what caused it and what it caused.
import { api, blobUrl, searchHref } from '../api.js';
import { idLink, statusBadge, typeBadge } from '../components.js';
import { clear, h } from '../dom.js';
import { duration, full, utc } from '../format.js';
import { causalChain } from './causal-chain.js';

const IMAGE = /\.(gif|png|jpe?g|webp)$/i;

function preview(body) {
  const location = body && typeof body === 'object' ? body.location : undefined;
  if (!location || typeof location.Bucket !== 'string' || typeof location.Key !== 'string' || !IMAGE.test(location.Key)) return null;
  return h('figure', { class: 'preview' }, h('img', { src: blobUrl(location), alt: location.Key }), h('figcaption', { class: 'muted' }, `${location.Bucket}/${location.Key}`));
}

export function mount(root, { id, meta, toast, refreshDeadCount }) {
  const element = h('section', { class: 'view message-view' });
  root.append(element);

  const redrive = async (button) => {
    button.disabled = true;
    try {
      await api('/api/redrive', { method: 'POST', body: { ids: [id] } });
      toast('Sent again', 'ok');
      void refreshDeadCount();
    } catch (error) {
      toast(error.message, 'error');
      button.disabled = false;
    }
  };

  return {
    topics: ['messages'],
    async refresh() {
      const data = await api(`/api/messages/${encodeURIComponent(id)}`);
      const m = data.message;
      const row = (label, value) => (value === undefined || value === null || value === '' ? null : [h('dt', null, label), h('dd', null, value)]);
      const button = m.status === 'dead'
        ? h('button', { type: 'button', class: 'redrive', disabled: !meta.redrive.available, title: meta.redrive.reason, onclick: (e) => redrive(e.currentTarget) }, 'Re-drive')
        : null;
      clear(element,
        h('div', { class: 'view-head' },
          h('h1', null, typeBadge(m.type), ' ', statusBadge(m.status)),
          h('p', { class: 'mono muted' }, m.id),
          button ? h('div', { class: 'head-tools' }, button) : null,
        ),
        m.reason ? h('div', { class: 'panel notice error reason' }, h('strong', null, 'Why it failed: '), m.reason) : null,
        !meta.redrive.available && m.status === 'dead' ? h('p', { class: 'muted' }, meta.redrive.reason) : null,
        h('div', { class: 'message-grid' },
          h('section', { class: 'panel' },
            h('h2', null, 'About'),
            h('dl', { class: 'facts' },
              row('Handled by', m.consumer ?? 'nobody (the flow does not know this type)'),
              row('Key', m.key !== undefined ? h('a', { href: searchHref({ key: m.key }) }, m.key) : undefined),
              row('Valid time', m.validTime !== undefined ? utc(m.validTime) : undefined),
              row('Recorded', full(m.createdAt)),
              row(m.status === 'pending' ? 'Last change' : 'Settled', m.status === 'pending' ? full(m.updatedAt) : `${full(m.updatedAt)} (after ${duration(m.updatedAt - m.createdAt)})`),
              row('Attempts', String(m.attempts)),
              row('Caused by', m.causedBy ? idLink(m.causedBy) : 'outside the flow'),
            ),
            preview(m.body),
          ),
          h('section', { class: 'panel' }, h('h2', null, 'Causal chain'), causalChain(data)),
        ),
        h('section', { class: 'panel' }, h('h2', null, 'Payload'), h('pre', { class: 'payload' }, JSON.stringify(m.body, null, 2))),
      );
    },
  };
}
