/** What `run --once` tells of a flow that brings no report of its own: its messages, counted by type. */
import type { RunReport } from '../../index.js';

export function countingReport(): RunReport {
  const done = new Map<string, number>();
  const dead: { id: string; type: string; reason: string }[] = [];
  return {
    listen(event) {
      if (event.kind === 'done') done.set(event.message.type, (done.get(event.message.type) ?? 0) + 1);
      if (event.kind === 'dead') dead.push({ id: event.id, type: event.type, reason: event.reason });
    },
    async summary() {
      const counts = Object.fromEntries([...done].sort(([a], [b]) => a.localeCompare(b)));
      const lines = [
        done.size ? `messages done: ${Object.entries(counts).map(([type, n]) => `${type} ${n}`).join(', ')}` : 'messages done: none',
        ...(dead.length ? [`dead letters (${dead.length}), see \`dataflow failed\`:`, ...dead.map((d) => `  ${d.type} ${d.id}: ${d.reason}`)] : []),
        '',
        'see the flow and every message in the dashboard: npx dataflow dashboard',
      ];
      return { record: { done: counts, dead }, text: lines.join('\n') };
    },
  };
}
