/**
 * The little HTML every part needs: escaping text for markup, and reading the text back out of
 * markup (tags dropped, entities decoded). Made for mail templates and error pages, not for
 * arbitrary web pages: no parser, no layout.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Named (the common ones), decimal and hexadecimal character references as the characters they stand for. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] !== '#') return NAMED[entity.toLowerCase()] ?? whole;
    const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * The markup without what never shows (scripts, styles, comments), each replaced by
 * `replacement`; tags are left as they are.
 * @param replacement @defaultValue ' '
 */
export function dropHiddenHtml(html: string, replacement = ' '): string {
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, replacement).replace(/<!--[\s\S]*?-->/g, replacement);
}

/**
 * The markup without its tags, and without what never shows ({@link dropHiddenHtml}), each
 * replaced by `replacement` (a space keeps the words of neighbouring elements apart). Entities
 * are left as they are.
 * @param replacement @defaultValue ' '
 */
export function stripHtmlTags(html: string, replacement = ' '): string {
  return dropHiddenHtml(html, replacement).replace(/<[^>]*>/g, replacement);
}
