// #/flow: the flow as a picture with live counts, and each consumer's last hour.
import { api, searchHref } from '../api.js';
import { clear, h } from '../dom.js';
import { count } from '../format.js';
import { flowDiagram } from './flow-diagram.js';
import { workerCharts } from './worker-charts.js';

function totals(picture) {
  const t = picture.totals;
  const cell = (label, value, kind, href) => h('a', { class: ['total', kind, value === 0 ? 'zero' : ''], href }, h('span', { class: 'total-value' }, count(value)), h('span', { class: 'total-label' }, label));
  return h('div', { class: 'totals' },
    cell('messages', t.pending + t.done + t.dead, 'all', '#/messages'),
    cell('in flight', t.pending, 'pending', '#/messages?status=pending'),
    cell('done', t.done, 'done', '#/messages?status=done'),
    cell('failed', t.dead, 'dead', '#/dead'),
  );
}

export function mount(root) {
  const head = h('div', { class: 'view-head' }, h('h1', null, 'Flow'), h('p', { class: 'muted' }, 'The mediator leads; workers do one thing each. Counts are live.'));
  const summary = h('div');
  const diagram = h('section', { class: 'panel diagram-panel' });
  const rejected = h('div');
  const charts = workerCharts();
  const element = h('section', { class: 'view flow-view' }, head, summary, diagram, rejected, h('h2', null, 'Last hour, per minute'), charts.element);
  root.append(element);
  return {
    topics: ['flow'],
    // The hour moves on by itself, and other processes send no events: look again now and then.
    everyMs: 15_000,
    async refresh() {
      const [picture, activity] = await Promise.all([api('/api/flow'), api('/api/activity')]);
      clear(summary, totals(picture));
      clear(diagram, flowDiagram(picture));
      clear(
        rejected,
        picture.unknown.length > 0
          ? h('p', { class: 'notice' }, 'Rejected input (types this flow does not know): ',
              picture.unknown.map((u, i) => [i ? ', ' : '', h('a', { href: searchHref({ type: u.type }) }, u.type), ` ${count(u.dead)} failed`]))
          : null,
      );
      charts.update(activity);
    },
    unmount() {
      charts.destroy();
    },
  };
}
