/**
 * A mail's HTML as readable plain text, for its text/plain alternative: blocks become lines,
 * links show their address, images their alt text, entities are decoded. Made for the HTML a
 * mail template holds, not for arbitrary web pages.
 */
import { decodeHtmlEntities, dropHiddenHtml, stripHtmlTags } from '../../core/html.js';

const BLOCK = /<\/?(?:p|div|h[1-6]|table|tr|ul|ol|blockquote|section|article|header|footer|hr)\b[^>]*>/gi;

export function htmlToText(html: string): string {
  const text = dropHiddenHtml(html, '')
    // What a mail's head holds is no part of its text.
    .replace(/<(head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<img\b[^>]*>/gi, (tag) => {
      const alt = attribute(tag, 'alt');
      return alt ? `[${alt}]` : '';
    })
    .replace(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi, (_whole, attributes: string, label: string) => {
      const href = attribute(`<a ${attributes}>`, 'href');
      const shown = stripHtmlTags(label, '').trim();
      // Only addresses a reader can open; an inline image's cid: means nothing in plain text.
      if (!href || !/^(https?|mailto):/i.test(href)) return shown;
      return shown && shown !== href ? `${shown}: ${href}` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(BLOCK, '\n\n');
  return decodeHtmlEntities(stripHtmlTags(text, ''))
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .concat('\n');
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value === undefined ? undefined : decodeHtmlEntities(value).trim();
}
