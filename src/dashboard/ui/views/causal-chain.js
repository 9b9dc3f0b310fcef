// A message's causal chain: what caused it, up to the message that came from outside, and what
// it caused, as an indented tree.
import { messageHref } from '../api.js';
import { statusBadge, typeBadge } from '../components.js';
import { h } from '../dom.js';
import { when } from '../format.js';

function node(m, { depth, role }) {
  const item = h('li', { class: ['chain-node', role], 'data-type': m.type, 'data-id': m.id },
    h('a', { class: 'chain-card', href: messageHref(m.id) },
      typeBadge(m.type),
      h('span', { class: 'chain-consumer muted' }, m.consumer ? `→ ${m.consumer}` : ''),
      statusBadge(m.status),
      h('span', { class: 'chain-time muted' }, when(m.createdAt)),
    ),
  );
  item.style.setProperty('--depth', String(depth)); // CSSOM, which the page's CSP allows
  return item;
}

export function causalChain({ message, ancestors, descendants, truncated }) {
  const items = [
    ...ancestors.map((m, i) => node(m, { depth: i, role: 'ancestor' })),
    node(message, { depth: ancestors.length, role: 'self' }),
    ...descendants.map((d) => node(d, { depth: ancestors.length + d.depth, role: 'descendant' })),
  ];
  return h('div', { class: 'chain-wrap' },
    h('ol', { class: 'chain' }, items),
    truncated ? h('p', { class: 'muted' }, 'The chain is longer than shown (500 messages at most).') : null,
  );
}
