/** `dataflow trace <message-id>`: the causal tree a message belongs to, from its root cause down. */
import { causalTree, type CausalNode } from '../../index.js';
import { openState } from '../app.js';
import type { Settings } from '../settings.js';

export async function traceCommand(settings: Settings, id: string): Promise<number> {
  const state = await openState(settings);
  try {
    const found = await causalTree(state, id);
    if (!found) {
      process.stderr.write(`dataflow: no message ${id} in the log\n`);
      return 1;
    }
    if (!process.stdout.isTTY) {
      process.stdout.write(`${JSON.stringify(toJson(found.tree))}\n`);
      return 0;
    }
    const lines: string[] = [];
    const walk = (node: CausalNode, prefix: string, last: boolean, top: boolean) => {
      const m = node.message;
      const about = [m.key, m.validTime !== undefined && m.validTime > 1e11 ? new Date(m.validTime).toISOString().slice(0, 16) + 'Z' : m.validTime]
        .filter((v) => v !== undefined && v !== '')
        .join(' ');
      const mark = m.id === id ? '  ◀' : '';
      const status = m.status === 'done' ? '✓' : m.status === 'dead' ? '✗' : '…';
      lines.push(`${prefix}${top ? '' : last ? '└─ ' : '├─ '}${status} ${m.type} ${m.id}${about ? `  ${about}` : ''}${m.reason ? `  (${m.reason})` : ''}${mark}`);
      node.caused.forEach((child, i) => walk(child, top ? '' : `${prefix}${last ? '   ' : '│  '}`, i === node.caused.length - 1, false));
    };
    walk(found.tree, '', true, true);
    if (found.truncated) lines.push('… (more: the tree is cut at 500 messages)');
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    await state.close();
  }
}

function toJson(node: CausalNode): unknown {
  const { id, type, status, key, validTime, reason, createdAt } = node.message;
  return { id, type, status, key, validTime, reason, createdAt, caused: node.caused.map(toJson) };
}
