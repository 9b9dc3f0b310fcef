/** Fills the mediator's email templates. Every value from a message is escaped. */
import { escapeHtml } from 'dataflow';

// The mediator builds the markup around the inline images with the same escaping.
export { escapeHtml };

/**
 * Replaces `{{name}}` with `values[name]`: escaped in HTML templates, with line breaks removed in
 * plain ones. `html` names placeholders whose values are markup the mediator built itself.
 * `{{#name}}…{{/name}}` keeps what it holds only when `values[name]` is not empty.
 */
export function fill(template: string, values: Record<string, string>, options: { escape: boolean; html?: Record<string, string> }): string {
  const sections = template.replace(/\{\{#\s*([A-Za-z]+)\s*\}\}([\s\S]*?)\{\{\/\s*\1\s*\}\}/g, (_whole, name: string, inside: string) =>
    values[name] || options.html?.[name] ? inside : '',
  );
  return sections.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (whole, name: string) => {
    if (options.html && name in options.html) return options.html[name]!;
    if (!(name in values)) return whole;
    const value = values[name]!;
    return options.escape ? escapeHtml(value) : value.replace(/[\r\n]+/g, ' ');
  });
}

/** A valid time as a reader sees it: `2017-06-01 16:00 UTC`. */
export function readableTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
