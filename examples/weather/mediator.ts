/**
 * The weather flow's mediator, with the 2017 talk's rules:
 *
 * - each fetched frame gets a thumbnail;
 * - every N new frames of one map of an `imageId` make one GIF, its frames ordered by valid time;
 * - each GIF goes out by email with its frames' thumbnails.
 *
 * Both fan-ins are atomic steps of the state store: frames join the window of their imageId and
 * map (one member per valid time, so a frame fetched twice counts once), and every N of them make
 * a batch; a GIF's mail is a known set of parts, the GIF and the thumbnail of each of its frames
 * (the one made from that very frame), complete once all are in.
 * Each arrival records itself before it looks for the others, so of two racing arrivals at
 * least one sees the other, and the store lets exactly one of them close the window or complete
 * the set.
 */
import { NonRetriableError, defineMediator, keySegment, compactTime, message, when, type Batch, type CompleteSet, type Location, type MediatorContext, type Outgoing } from 'dataflow';
import type { WeatherConfig } from './config.js';
import { escapeHtml, fill, readableTime } from './email-template.js';
import { gifLink } from './gif-link.js';
import {
  DidCreateGif,
  DidCreateThumbnail,
  DidFetchAmpImage,
  PleaseCreateGif,
  PleaseCreateThumbnail,
  emailMessages,
} from './messages.js';
import { madeFrom, thumbnailOf } from './thumbnail-source.js';

interface FrameValue {
  location: Location;
  /** The message that added the frame: only its replays may act on the batch it closed. */
  messageId: string;
}

interface PartValue {
  location: Location;
  messageId: string;
}

/**
 * Maps of one imageId with other layers (or size, center, zoom) make GIFs of their own: mixed, a
 * GIF would flicker between maps, and one map's frame would hide another's at the same valid time.
 * A frame with no map (a 2017 sender's) joins `frames:<imageId>`, as it did then; a map's name
 * holds no ':' or '@', so the two kinds of names never meet.
 */
const framesGroup = (imageId: string, map: string | undefined) => (map === undefined ? `frames:${imageId}` : `frames@${map}:${imageId}`);
const mailGroup = (imageId: string, map: string | undefined, batch: Batch) =>
  map === undefined ? `mail:${imageId}#${batch.index}` : `mail@${map}:${imageId}#${batch.index}`;
const withMap = (map: string | undefined) => (map === undefined ? {} : { map });
const GIF_PART = 'gif';
const thumbnailPart = (validTime: number) => `thumbnail:${validTime}`;
/** A mail's parts: its GIF, then the thumbnail of each frame, in valid-time order. */
const mailParts = (frames: Batch) => [GIF_PART, ...frames.members.map((m) => thumbnailPart(m.order))];

/** True when `messageId` added the member that closed the batch: a replay, not another sender. */
function closedBy(batch: Batch, messageId: string): boolean {
  const closer = batch.members.find((m) => m.id === batch.closedBy);
  return (closer?.value as { messageId?: string } | undefined)?.messageId === messageId;
}

/** The same for the part that completed a mail's set. */
function completedBy(mail: CompleteSet, messageId: string): boolean {
  const last = mail.parts.find((p) => p.name === mail.completedBy);
  return (last?.value as { messageId?: string } | undefined)?.messageId === messageId;
}

export function weatherMediator(config: WeatherConfig) {
  const { PleaseSendEmail, DidSendEmail } = emailMessages(config.email.maxRecipients);
  const addMailPart = async (
    context: MediatorContext,
    imageId: string,
    map: string | undefined,
    frames: Batch,
    part: { name: string; value: PartValue },
  ): Promise<Outgoing[]> => {
    const mail = await context.state.addPart(mailGroup(imageId, map, frames), mailParts(frames), part);
    if (!mail || !completedBy(mail, part.value.messageId)) return [];
    return [await composeEmail(context, imageId, frames, mail)];
  };

  const composeEmail = async (context: MediatorContext, imageId: string, frames: Batch, mail: CompleteSet): Promise<Outgoing> => {
    const gif = mail.parts[0]!.value as PartValue;
    // After the GIF, a thumbnail per frame, in the frames' valid-time order.
    const thumbnails = frames.members.map((frame, i) => ({ order: frame.order, value: mail.parts[i + 1]!.value }));
    const validFrom = frames.members[0]!.order;
    const validTo = frames.members.at(-1)!.order;
    const name = keySegment(imageId);
    const inline = [
      { location: gif.location, cid: `gif.${frames.index}@dataflow`, filename: `${name}-${compactTime(validTo)}.gif` },
      ...thumbnails.map((t, i) => ({
        location: (t.value as PartValue).location,
        cid: `thumbnail.${frames.index}.${i + 1}@dataflow`,
        filename: `${name}-${compactTime(t.order)}-thumbnail.png`,
      })),
    ];
    const values = {
      imageId,
      validFrom: readableTime(validFrom),
      validTo: readableTime(validTo),
      frameCount: String(frames.members.length),
      gifUrl: await gifLink(gif.location, config.publicUrl, context),
    };
    const alt = `${imageId}, ${values.validFrom} to ${values.validTo}`;
    const html = {
      gif: `<img src="cid:${inline[0]!.cid}" alt="${escapeHtml(alt)}" width="${config.thumbnail.width * 2}">`,
      thumbnails: inline
        .slice(1)
        .map((t, i) => `<img src="cid:${t.cid}" alt="${escapeHtml(readableTime(thumbnails[i]!.order))}" width="${config.thumbnail.width}" height="${config.thumbnail.height}">`)
        .join(' '),
    };
    // The mail is the GIF's, whichever arrival completed it: so its trace runs through the GIF.
    return message(PleaseSendEmail, {
      to: config.email.to,
      from: config.email.from,
      subject: fill(config.email.subject, values, { escape: false }),
      body: fill(config.email.body, values, { escape: true, html }),
      inline,
      imageId,
      validTime: validTo,
    }, { causedBy: gif.messageId });
  };

  return defineMediator({
    name: 'mediator',
    rules: [
      when(DidFetchAmpImage, async (frame, context) => {
        const out: Outgoing[] = [
          message(PleaseCreateThumbnail, {
            imageId: frame.imageId,
            location: frame.location,
            width: config.thumbnail.width,
            height: config.thumbnail.height,
            validTime: frame.validTime,
            ...withMap(frame.map),
          }),
        ];
        const value: FrameValue = { location: frame.location, messageId: frame.id };
        const batch = await context.state.addToWindow(
          framesGroup(frame.imageId, frame.map),
          { id: String(frame.validTime), order: frame.validTime, value },
          config.framesPerGif,
        );
        if (batch && closedBy(batch, frame.id)) {
          out.push(
            message(PleaseCreateGif, {
              imageId: frame.imageId,
              locations: batch.members.map((m) => (m.value as FrameValue).location),
              gifDelay: config.gifDelayMs,
              gifLoop: config.gifLoop,
              validTime: batch.members.at(-1)!.order,
              ...withMap(frame.map),
            }),
          );
        }
        return out;
      }),

      when(DidCreateThumbnail, async (thumbnail, context) => {
        const frames = await context.state.windowOf(framesGroup(thumbnail.imageId, thumbnail.map), String(thumbnail.validTime));
        if (!frames) return []; // its GIF is not decided yet; the GIF's arrival will find this thumbnail
        // The GIF's frame at this valid time may be another fetch (the map server re-rendered it):
        // then this thumbnail is not the one its mail shows.
        const frame = frames.members.find((m) => m.id === String(thumbnail.validTime))!.value as FrameValue;
        if (!madeFrom(thumbnail, thumbnail.map, frame.location)) return [];
        return addMailPart(context, thumbnail.imageId, thumbnail.map, frames, {
          name: thumbnailPart(thumbnail.validTime),
          value: { location: thumbnail.location, messageId: thumbnail.id },
        });
      }),

      when(DidCreateGif, async (gif, context) => {
        const frames = await context.state.windowOf(framesGroup(gif.imageId, gif.map), String(gif.validTime));
        if (!frames) {
          const ofMap = gif.map === undefined ? '' : ` and map ${JSON.stringify(gif.map)}`;
          throw new NonRetriableError(
            `did-create-gif ${gif.id}: no GIF of imageId ${JSON.stringify(gif.imageId)}${ofMap} ends at valid time ${gif.validTime}; the mediator never asked for it`,
          );
        }
        const out = await addMailPart(context, gif.imageId, gif.map, frames, {
          name: GIF_PART,
          value: { location: gif.location, messageId: gif.id },
        });
        // Thumbnails that arrived before the batch closed are added here, on their behalf:
        // looked up frame by frame, since a batch may span any stretch of valid times, and
        // picked by the frame they were made from, since other maps share those valid times.
        for (const member of frames.members) {
          const frame = member.value as FrameValue;
          const atTime = await context.state.find(DidCreateThumbnail, { key: gif.imageId, validTime: { from: member.order, to: member.order } });
          const thumbnail = thumbnailOf(atTime, gif.map, frame.location);
          if (!thumbnail) continue;
          out.push(
            ...(await addMailPart(context, gif.imageId, gif.map, frames, {
              name: thumbnailPart(thumbnail.validTime),
              value: { location: thumbnail.location, messageId: gif.id },
            })),
          );
        }
        return out;
      }),

      when(DidSendEmail, async () => []),
    ],
  });
}
