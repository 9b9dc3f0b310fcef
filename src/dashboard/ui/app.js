// The page: reads what the dashboard can do (and which views the flow contributes), routes #/…
// to a view, and refreshes the view when the server says something it shows has changed.
import { api } from './api.js';
import { clear, h } from './dom.js';
import { connectLive, serialized } from './live.js';
import { count } from './format.js';
import * as flowView from './views/flow.js';
import * as contributedView from './views/contributed.js';
import * as messagesView from './views/messages.js';
import * as messageView from './views/message.js';
import * as deadView from './views/dead.js';

const root = document.getElementById('view');
const liveBadge = document.getElementById('live');
const deadCount = document.getElementById('dead-count');

function toast(text, kind = 'info') {
  const node = h('div', { class: ['toast', kind] }, text);
  document.getElementById('toasts').append(node);
  setTimeout(() => node.remove(), 4000);
}

function parseHash() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: Object.fromEntries(new URLSearchParams(query)) };
}

function route(meta, { parts }) {
  const [first, second] = parts;
  if (first === 'views' && meta.views.some((v) => v.id === second)) return { name: `views/${second}`, view: contributedView, id: second };
  if (first === 'messages' && second) return { name: 'messages', view: messageView, id: second };
  if (first === 'messages') return { name: 'messages', view: messagesView };
  if (first === 'dead') return { name: 'dead', view: deadView };
  return { name: 'flow', view: flowView };
}

function showError(error) {
  clear(root, h('section', { class: 'panel notice error' }, h('h2', null, error.status === 401 ? 'Token needed' : 'Something went wrong'), h('p', null, error.message)));
}

async function main() {
  let meta;
  try {
    meta = await api('/api/meta');
  } catch (error) {
    showError(error);
    return;
  }
  document.getElementById('flow-name').textContent = meta.name;
  document.title = `${meta.name} · dataflow`;
  // The flow's own views, after the flow's picture.
  document.querySelector('#nav [data-view="flow"]').after(...meta.views.map((v) => h('a', { href: `#/views/${encodeURIComponent(v.id)}`, 'data-view': `views/${v.id}` }, v.title)));

  let current;
  const refreshDeadCount = serialized(async () => {
    const flow = await api('/api/flow').catch(() => undefined);
    if (!flow) return;
    deadCount.hidden = flow.totals.dead === 0;
    deadCount.textContent = count(flow.totals.dead);
  });

  const mount = () => {
    current?.unmount?.();
    const target = route(meta, parseHash());
    for (const link of document.querySelectorAll('#nav a')) link.classList.toggle('active', link.dataset.view === target.name);
    clear(root);
    // For people and tests alike: which view is shown, and whether its data has arrived.
    root.dataset.view = target.name;
    root.dataset.mount = String(Number(root.dataset.mount ?? 0) + 1);
    root.dataset.loaded = 'false';
    const context = { meta, ...parseHash(), id: target.id, toast, refreshDeadCount };
    const mounted = target.view.mount(root, context);
    let lastToast = 0;
    const refresh = serialized(async () => {
      try {
        await mounted.refresh();
        root.dataset.loaded = 'true';
      } catch (error) {
        // A view that has shown its data keeps it when a later refresh fails; a toast says so.
        if (root.dataset.loaded !== 'true') showError(error);
        else if (Date.now() - lastToast > 10_000) (lastToast = Date.now()), toast(`Could not refresh: ${error.message}`, 'error');
      }
    });
    const timer = mounted.everyMs ? setInterval(refresh, mounted.everyMs) : undefined;
    current = {
      topics: mounted.topics,
      refresh,
      unmount() {
        clearInterval(timer);
        mounted.unmount?.();
      },
    };
    void refresh();
  };

  window.addEventListener('hashchange', mount);
  if (!location.hash) history.replaceState(null, '', '#/flow');
  mount();
  void refreshDeadCount();

  connectLive({
    onState(state) {
      liveBadge.dataset.state = state;
      liveBadge.textContent = state;
    },
    onChange(topics) {
      if (current && current.topics.some((topic) => topics.has(topic))) void current.refresh();
      if (topics.has('dead') || topics.has('flow')) void refreshDeadCount();
    },
  });
}

void main();
