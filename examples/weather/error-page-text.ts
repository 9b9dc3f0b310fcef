/**
 * The readable text of an error page a web server or proxy sent instead of a map: tags dropped,
 * entities decoded, white space collapsed. Servers quote the requested path in their 404 pages,
 * and that path holds the client secret: decoding first lets the redaction find it as written.
 */
import { decodeHtmlEntities, stripHtmlTags } from 'dataflow';

export function errorPageText(page: string): string {
  return decodeHtmlEntities(stripHtmlTags(page)).replace(/\s+/g, ' ').trim();
}
