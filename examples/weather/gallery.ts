/**
 * The weather flow's gallery, a view it contributes to the dashboard (`ProvidedFlow.views`): its
 * GIFs newest first, grouped by imageId, each with the valid times it covers, its frames'
 * thumbnails and the mail it went out in, all read from recorded messages:
 *
 * - the GIF: a `did-create-gif` (`imageId`, `validTime` of its last frame, `location`);
 * - its mail: the `did-send-email` of the same `imageId` and `validTime` whose `inline` lists the
 *   GIF (`gif.N@dataflow`) and the thumbnails (`thumbnail.N.i@dataflow`, file names ending in the
 *   frame's compact time, `…-20170601160000-thumbnail.png`);
 * - before the mail is out: the frames of its `please-create-gif` (keys start with the compact
 *   time) and, for each frame, the `did-create-thumbnail` made from it (its `source`): other maps
 *   of the imageId have thumbnails at the same valid times.
 */
import type { FlowView, Location, MessageBrowser, StateStore, StoredMessage, ViewCard } from 'dataflow';
import { DidCreateGif, DidCreateThumbnail, DidSendEmail, PleaseCreateGif } from './messages.js';
import { sameLocation, thumbnailOf } from './thumbnail-source.js';

type Body = Record<string, unknown>;

/** A GIF as the gallery shows it. */
export interface GifEntry {
  imageId: string;
  gif: Location;
  /** The valid time of the GIF's first and last frames (epoch ms). */
  validFrom: number;
  validTo: number;
  thumbnails: { location: Location; validTime: number }[];
  /** The id of the recorded `did-create-gif` message. */
  gifMessageId: string;
  /** The mail it went out in: `messageId` is the id of the recorded `did-send-email` message. */
  email?: { messageId: string; subject: string; to: string[]; sentAt: number };
}

const isLocation = (value: unknown): value is Location =>
  typeof value === 'object' && value !== null && typeof (value as Location).Bucket === 'string' && typeof (value as Location).Key === 'string';

/** `YYYYMMDDhhmmss` (UTC) as epoch ms: the inverse of `compactTime`. */
export function parseCompactTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The compact time a thumbnail's file name or a blob key embeds, as epoch ms. */
function embeddedTime(name: string, pattern: RegExp): number | undefined {
  const match = pattern.exec(name);
  return match ? parseCompactTime(match[1]!) : undefined;
}
const THUMBNAIL_FILENAME = /-(\d{14})-thumbnail\.[A-Za-z0-9]+$/;
const FRAME_KEY = /(?:^|\/)(\d{14})-[^/]*$/;

/** The GIFs newest first (of one imageId, when given), `limit` at most; a GIF the mediator refused (dead) is left out. */
export function gifEntries(state: StateStore & MessageBrowser): (query: { imageId?: string; limit: number }) => Promise<GifEntry[]> {
  const thumbnailOfFrame = async (imageId: string, map: string | undefined, frame: { location: Location; validTime: number }): Promise<{ location: Location; validTime: number } | undefined> => {
    // A compact time has whole seconds: look through the second it names.
    const atTime = await state.find({ type: DidCreateThumbnail.type, key: imageId, validTime: { from: frame.validTime, to: frame.validTime + 999 } });
    const body = thumbnailOf(atTime.filter((m) => m.status !== 'dead').map((m) => m.body as Body), map, frame.location);
    return body && isLocation(body.location) && typeof body.validTime === 'number' ? { location: body.location, validTime: body.validTime } : undefined;
  };

  const mailOf = async (imageId: string, gif: Location, validTime: number): Promise<StoredMessage | undefined> => {
    const sent = await state.find({ type: DidSendEmail.type, key: imageId, validTime: { from: validTime, to: validTime }, limit: 50 });
    return sent.find((m) => m.status !== 'dead' && ((m.body as Body).inline as { location?: unknown }[] | undefined)?.some((i) => isLocation(i.location) && sameLocation(i.location, gif)));
  };

  const itemOf = async (stored: StoredMessage): Promise<GifEntry | undefined> => {
    const body = stored.body as Body;
    if (typeof body.imageId !== 'string' || typeof body.validTime !== 'number' || !isLocation(body.location)) return undefined;
    const { imageId, validTime, location: gif } = body as { imageId: string; validTime: number; location: Location };

    const mail = await mailOf(imageId, gif, validTime);
    let thumbnails: GifEntry['thumbnails'] = [];
    let frameTimes: number[] = [];
    if (mail) {
      const inline = ((mail.body as Body).inline ?? []) as { location: Location; cid: string; filename: string }[];
      for (const part of inline.filter((i) => i.cid.startsWith('thumbnail.') && isLocation(i.location))) {
        const time = embeddedTime(part.filename, THUMBNAIL_FILENAME) ?? embeddedTime(part.location.Key, FRAME_KEY);
        if (time !== undefined) thumbnails.push({ location: part.location, validTime: time });
      }
      frameTimes = thumbnails.map((t) => t.validTime);
    } else {
      const cause = stored.causedBy ? await state.get(stored.causedBy) : undefined;
      const request = cause?.type === PleaseCreateGif.type ? (cause.body as Body) : {};
      const map = typeof request.map === 'string' ? request.map : undefined;
      const frames = ((request.locations ?? []) as unknown[])
        .filter(isLocation)
        .map((location) => ({ location, validTime: embeddedTime(location.Key, FRAME_KEY) }))
        .filter((f): f is { location: Location; validTime: number } => f.validTime !== undefined);
      frameTimes = frames.map((f) => f.validTime);
      thumbnails = (await Promise.all(frames.map((f) => thumbnailOfFrame(imageId, map, f)))).filter((t) => t !== undefined);
    }
    thumbnails.sort((a, b) => a.validTime - b.validTime);
    const mailBody = mail?.body as Body | undefined;
    return {
      imageId,
      gif,
      validFrom: Math.min(validTime, ...frameTimes),
      validTo: validTime,
      thumbnails,
      gifMessageId: stored.id,
      email:
        mail && mailBody
          ? { messageId: mail.id, subject: String(mailBody.subject ?? ''), to: Array.isArray(mailBody.to) ? mailBody.to.map(String) : [], sentAt: mail.createdAt }
          : undefined,
    };
  };

  return async ({ imageId, limit }) => {
    const items: GifEntry[] = [];
    let cursor: string | undefined;
    // A few pages at most.
    for (let page = 0; page < 5 && items.length < limit; page++) {
      const found = await state.search({ type: DidCreateGif.type, key: imageId, cursor, limit: Math.min(500, limit + 10) });
      const wanted = found.messages.filter((m) => m.status !== 'dead').slice(0, limit - items.length);
      for (const item of await Promise.all(wanted.map(itemOf))) if (item) items.push(item);
      if (!found.next) break;
      cursor = found.next;
    }
    return items;
  };
}

/** `2017-06-01 16:00 UTC`, and `16:00`: valid times are UTC, to the minute. */
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const utcTime = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/** One GIF as a card: the GIF playing, its frames' thumbnails, its mail, and links to its messages. */
export function gifCard(entry: GifEntry): ViewCard {
  const frames = entry.thumbnails.length;
  const mail = entry.email;
  return {
    id: entry.gifMessageId,
    key: entry.imageId,
    title: `valid ${utc(entry.validFrom)} → ${utcTime(entry.validTo)}`,
    subtitle: frames ? `${frames} frames` : undefined,
    image: { location: entry.gif, alt: `${entry.imageId}, ${utc(entry.validFrom)} to ${utc(entry.validTo)}`, messageId: entry.gifMessageId },
    images: entry.thumbnails.map((t) => ({ location: t.location, alt: `frame at ${utc(t.validTime)}`, caption: utcTime(t.validTime) })),
    fields: mail
      ? [
          { label: 'Mail', value: mail.subject },
          { label: 'To', value: mail.to.join(', ') },
          { label: 'Sent', value: utc(mail.sentAt) },
        ]
      : [{ label: 'Mail', value: 'not sent yet' }],
    links: [{ text: 'Causal chain →', messageId: entry.gifMessageId }, ...(mail ? [{ text: 'Mail message →', messageId: mail.messageId }] : [])],
  };
}

/** The gallery view: it changes when a GIF, a thumbnail or a mail is recorded. */
export function weatherGallery(): FlowView {
  return {
    id: 'gallery',
    title: 'Gallery',
    description: 'The latest GIFs per imageId, newest first, with their thumbnails and the mail each went out in. New ones appear by themselves.',
    changesOn: [DidCreateGif.type, DidCreateThumbnail.type, DidSendEmail.type],
    async load({ state, query, limit }) {
      const entries = await gifEntries(state)({ imageId: query.key, limit });
      return { kind: 'gallery', cards: entries.map(gifCard), empty: 'No GIFs yet. They appear here as soon as the flow makes one.' };
    },
  };
}
