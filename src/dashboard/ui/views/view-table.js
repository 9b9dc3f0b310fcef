// A flow's table view: column headings, then rows of text, numbers and links.
import { viewLink } from '../components.js';
import { h } from '../dom.js';

const cell = (value) => (value !== null && typeof value === 'object' ? viewLink(value) : String(value));

export function viewTable(content) {
  if (content.rows.length === 0) return h('p', { class: 'panel empty' }, content.empty ?? 'Nothing to show yet.');
  return h('div', { class: 'panel table-panel' },
    h('table', { class: 'messages view-table' },
      h('thead', null, h('tr', null, content.columns.map((column) => h('th', null, column)))),
      h('tbody', null, content.rows.map((row) => h('tr', null, row.map((value) => h('td', null, cell(value)))))),
    ),
  );
}
