// A small line chart per consumer (Chart.js): messages done and failed per minute, and their
// average latency, over the last hour.
import { h } from '../dom.js';
import { count, duration } from '../format.js';

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function chartOptions() {
  const grid = css('--grid');
  const muted = css('--muted');
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { position: 'bottom', labels: { color: muted, boxWidth: 10, boxHeight: 2, font: { size: 10 } } },
      tooltip: { callbacks: { label: (item) => (item.dataset.yAxisID === 'latency' ? `${item.dataset.label}: ${duration(item.raw)}` : `${item.dataset.label}: ${item.formattedValue}`) } },
    },
    elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.6, tension: 0.25 } },
    scales: {
      x: { ticks: { color: muted, maxTicksLimit: 5, maxRotation: 0, font: { size: 10 } }, grid: { color: grid } },
      count: { position: 'left', beginAtZero: true, ticks: { color: muted, precision: 0, maxTicksLimit: 4, font: { size: 10 } }, grid: { color: grid } },
      latency: { position: 'right', beginAtZero: true, ticks: { color: muted, maxTicksLimit: 4, font: { size: 10 }, callback: (v) => duration(v) }, grid: { display: false } },
    },
  };
}

function datasets(activity) {
  return [
    { label: 'done / min', data: activity.done, yAxisID: 'count', borderColor: css('--green'), backgroundColor: css('--green-fill'), fill: true },
    { label: 'failed / min', data: activity.dead, yAxisID: 'count', borderColor: css('--red'), backgroundColor: 'transparent' },
    { label: 'avg latency', data: activity.averageLatencyMs, yAxisID: 'latency', borderColor: css('--blue'), borderDash: [4, 3], spanGaps: true, backgroundColor: css('--blue'), pointRadius: 2 },
  ];
}

function summary(activity) {
  const done = activity.done.reduce((a, b) => a + b, 0);
  const dead = activity.dead.reduce((a, b) => a + b, 0);
  let weighted = 0;
  activity.averageLatencyMs.forEach((avg, i) => (weighted += (avg ?? 0) * activity.done[i]));
  const avg = done > 0 ? weighted / done : undefined;
  return `${count(done)} done · ${count(dead)} failed · avg ${duration(avg)} · max ${duration(done > 0 ? activity.maxLatencyMs : undefined)}`;
}

/** Cards with one chart each, kept across refreshes. */
export function workerCharts() {
  const element = h('div', { class: 'chart-grid' });
  const cards = new Map();

  function update(activity) {
    const labels = activity.starts.map((start) => {
      const d = new Date(start);
      return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    });
    for (const consumer of activity.consumers) {
      let card = cards.get(consumer.name);
      if (!card) {
        const canvas = h('canvas', { 'aria-label': `${consumer.name}: done, failed and latency per minute over the last hour` });
        const caption = h('p', { class: 'chart-summary' });
        const node = h('article', { class: 'panel chart-card', 'data-consumer': consumer.name }, h('h3', null, consumer.name), caption, h('div', { class: 'chart-box' }, canvas));
        element.append(node);
        const chart = window.Chart ? new window.Chart(canvas, { type: 'line', data: { labels, datasets: datasets(consumer) }, options: chartOptions() }) : undefined;
        card = { chart, caption };
        cards.set(consumer.name, card);
      }
      card.caption.textContent = summary(consumer);
      if (card.chart) {
        card.chart.data.labels = labels;
        const [done, dead, latency] = card.chart.data.datasets;
        done.data = consumer.done;
        dead.data = consumer.dead;
        latency.data = consumer.averageLatencyMs;
        card.chart.update('none');
      }
    }
  }

  return {
    element,
    update,
    destroy() {
      for (const card of cards.values()) card.chart?.destroy();
    },
  };
}
