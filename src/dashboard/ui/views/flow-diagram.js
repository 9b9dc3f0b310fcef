// The flow as boxes and arrows: the mediator on the left, its workers on the right, a "please-*"
// arrow to each worker and its "did-*" arrow back, each box with its messages in flight, done
// and failed.
import { s } from '../dom.js';
import { count } from '../format.js';

const WIDTH = 980;
const BOX_H = 100;
const GAP = 22;
const MEDIATOR = { x: 16, w: 300 };
const WORKER = { x: 664, w: 300 };

function stats(x, y, counts) {
  const cells = [
    ['in flight', counts.pending, 'pending'],
    ['done', counts.done, 'done'],
    ['failed', counts.dead, 'dead'],
  ];
  return cells.map(([label, value, kind], i) =>
    s('g', { class: ['stat', kind, value > 0 ? 'nonzero' : 'zero'].join(' '), 'data-stat': kind },
      s('text', { x: x + 16 + i * 94, y: y + 72, class: 'stat-value' }, count(value)),
      s('text', { x: x + 16 + i * 94, y: y + 88, class: 'stat-label' }, label),
    ),
  );
}

function box(consumer, x, y, w, h, subtitle) {
  const busy = consumer.counts.pending > 0;
  return s('g', { class: ['node', consumer.role, busy ? 'busy' : '', consumer.counts.dead > 0 ? 'has-dead' : ''].join(' '), 'data-consumer': consumer.name },
    s('rect', { x, y, width: w, height: h, rx: 10, class: 'node-box' }),
    s('text', { x: x + 16, y: y + 26, class: 'node-name' }, consumer.name),
    s('text', { x: x + 16, y: y + 44, class: 'node-sub' }, subtitle),
    s('circle', { cx: x + w - 18, cy: y + 20, r: 5, class: 'node-dot' }),
    stats(x, y, consumer.counts),
  );
}

/** Inside the mediator's box: each type it records, with its counts. */
function recorded(mediator, x, y, w, room) {
  const rows = mediator.types.slice(0, Math.max(0, Math.floor((room - 30) / 24)));
  return s('g', { class: 'recorded' },
    s('line', { x1: x + 16, y1: y, x2: x + w - 16, y2: y, class: 'divider' }),
    s('text', { x: x + 16, y: y + 22, class: 'stat-label' }, 'records'),
    rows.map((t, i) =>
      s('g', { class: 'recorded-type' },
        s('text', { x: x + 16, y: y + 46 + i * 24, class: 'edge-label type-name' }, t.type),
        s('text', { x: x + w - 16, y: y + 46 + i * 24, 'text-anchor': 'end', class: ['type-count', t.dead > 0 ? 'dead' : t.pending > 0 ? 'pending' : ''].join(' ') },
          t.dead > 0 ? `${count(t.done)} · ${count(t.dead)} failed` : t.pending > 0 ? `${count(t.done)} · ${count(t.pending)} in flight` : count(t.done)),
      ),
    ),
  );
}

export function flowDiagram(picture) {
  const mediator = picture.consumers.find((c) => c.role === 'mediator');
  const workers = picture.consumers.filter((c) => c.role === 'worker');
  const rows = Math.max(workers.length, 1);
  const height = rows * BOX_H + (rows - 1) * GAP + 32;
  const top = 16;
  const mediatorH = height - 32;

  const arrows = workers.flatMap((worker, i) => {
    const y = top + i * (BOX_H + GAP) + BOX_H / 2;
    const x1 = MEDIATOR.x + MEDIATOR.w;
    const x2 = WORKER.x;
    const mid = (x1 + x2) / 2;
    const busy = worker.counts.pending > 0 ? ' busy' : '';
    return [
      s('g', { class: `edge please${busy}` },
        s('line', { x1: x1 + 4, y1: y - 14, x2: x2 - 8, y2: y - 14, 'marker-end': 'url(#arrow-please)' }),
        s('text', { x: mid, y: y - 22, 'text-anchor': 'middle', class: 'edge-label' }, worker.accepts[0] ?? ''),
      ),
      s('g', { class: 'edge did' },
        s('line', { x1: x2 - 4, y1: y + 14, x2: x1 + 8, y2: y + 14, 'marker-end': 'url(#arrow-did)' }),
        s('text', { x: mid, y: y + 32, 'text-anchor': 'middle', class: 'edge-label' }, worker.replies ?? ''),
      ),
    ];
  });

  const marker = (id) =>
    s('marker', { id, viewBox: '0 0 10 10', refX: 8, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `marker ${id}` }),
    );

  return s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'flow-diagram', role: 'img', 'aria-label': `${picture.name}: the mediator and its workers` },
    s('defs', null, marker('arrow-please'), marker('arrow-did')),
    arrows,
    mediator ? box(mediator, MEDIATOR.x, top, MEDIATOR.w, mediatorH, 'holds config and state, decides') : null,
    mediator ? recorded(mediator, MEDIATOR.x, top + 112, MEDIATOR.w, mediatorH - 112) : null,
    workers.map((worker, i) => box(worker, WORKER.x, top + i * (BOX_H + GAP), WORKER.w, BOX_H, `× ${worker.concurrency} · up to ${worker.maxAttempts} attempts`)),
  );
}
