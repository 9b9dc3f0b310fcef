// Server-sent events from /api/events: which views changed. EventSource reconnects by itself.

export function connectLive({ onChange, onState }) {
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => onState('live'));
  source.addEventListener('ready', () => onState('live'));
  source.addEventListener('error', () => onState(source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting'));
  source.addEventListener('change', (event) => {
    try {
      const change = JSON.parse(event.data);
      onChange(new Set(change.topics));
    } catch {
      // a malformed event changes nothing
    }
  });
  return () => source.close();
}

/** Runs `task` now, or once more right after the run in progress: never two at once, none lost. */
export function serialized(task) {
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await task();
    } finally {
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  return run;
}
