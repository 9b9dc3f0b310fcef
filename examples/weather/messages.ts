/**
 * The weather GIF flow's messages, exactly as the 2017 talk's wire format has them (payload at top
 * level). Fields a 2017 sender left out get the defaults the talk's code used.
 */
import { z } from 'zod';
import { defineMessage, locationIssues, type MessageOf } from 'dataflow';

/**
 * A blob's location, checked by the rule every blob store applies: an unsafe one (`..`, an
 * absolute key...) is refused with the message, naming the field, instead of failing every retry.
 */
export const location = z.object({ Bucket: z.string(), Key: z.string() }).superRefine((value, context) => {
  for (const issue of locationIssues(value)) context.addIssue({ code: 'custom', message: issue.message, path: [...(issue.path ?? [])] as PropertyKey[] });
});

const imageId = z.string().min(1).max(200);
const pixels = (max: number) => z.number().int().positive().max(max);
/** Epoch milliseconds. */
const epochMs = z.number().finite().nonnegative();

export const PleaseFetchAmpImage = defineMessage(
  'please-fetch-amp-image',
  z.object({
    imageId,
    // A layer may hold commas inside brackets (`scale-hsla(0,.94,0,.40,0,.4,0,1)`), never a slash.
    layers: z.array(z.string().min(1).regex(/^[^/]+$/, 'a layer may not contain "/"')).min(1),
    width: pixels(4000),
    height: pixels(4000),
    center: z.string().min(1).refine((c) => !c.includes('/'), 'center may not contain "/"'),
    zoom: z.number().int().min(0).max(22),
    /** Relative (`-30m`, `-0h`, `now`) or absolute (epoch seconds or ms, or `YYYYMMDDhhmmss`). */
    validTime: z.union([z.string().regex(/^(now|[-+]?\d+[smhd]?|\d{14})$/, 'expected a relative time like -30m, or an absolute one'), z.number().int().nonnegative()]),
  }),
  { key: (m) => m.imageId },
);

/**
 * Which map of an imageId a frame is (its layers, size, center and zoom, as a short hash): frames
 * of one imageId and map make GIFs together. Not in the 2017 format, so optional: a frame without
 * one joins its imageId's frames as it did then. The thumbnail and GIF workers hand it back as
 * they got it.
 */
const map = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected up to 64 letters, digits, "_" or "-"').optional();

export const DidFetchAmpImage = defineMessage(
  'did-fetch-amp-image',
  z.object({ imageId, validTime: epochMs, location, map }),
  { key: (m) => m.imageId, time: (m) => m.validTime },
);

export const PleaseCreateThumbnail = defineMessage(
  'please-create-thumbnail',
  z.object({ imageId, location, width: pixels(4096), height: pixels(4096), validTime: epochMs, map }),
  { key: (m) => m.imageId, time: (m) => m.validTime },
);

export const DidCreateThumbnail = defineMessage(
  'did-create-thumbnail',
  z.object({
    imageId,
    validTime: epochMs,
    location,
    map,
    /** The frame it was made from: the thumbnail is that frame's, not any other at its valid time. Not in the 2017 format. */
    source: location.optional(),
  }),
  { key: (m) => m.imageId, time: (m) => m.validTime },
);

export const PleaseCreateGif = defineMessage(
  'please-create-gif',
  z.object({
    imageId,
    locations: z.array(location).min(1).max(500),
    /** Milliseconds per frame. */
    gifDelay: z.number().int().min(0).max(65_000).default(250),
    /** `true` loops forever, `false` plays once, a number loops that many times. */
    gifLoop: z.union([z.boolean(), z.number().int().min(0).max(65_535)]).default(true),
    validTime: epochMs,
    map,
  }),
  { key: (m) => m.imageId, time: (m) => m.validTime },
);

export const DidCreateGif = defineMessage(
  'did-create-gif',
  z.object({ imageId, validTime: epochMs, location, map }),
  { key: (m) => m.imageId, time: (m) => m.validTime },
);

const inlineImage = z.object({
  location,
  /** Content-ID the body refers to as `cid:<cid>`. */
  cid: z.string().regex(/^[A-Za-z0-9._@-]+$/),
  filename: z.string().min(1).max(200),
});

/** The most recipients one mail may have, unless the flow's config says otherwise. @defaultValue 50 */
export const defaultMaxRecipients = 50;

/**
 * A sender: a bare address (`weather@example.com`) or one with a plain display name
 * (`Weather <weather@example.com>`). The name may hold no quotes, commas or brackets, which would
 * make the mailer read more (or other) addresses out of it, nor any control character.
 */
export const mailbox = z
  .string()
  .max(320)
  .refine((text) => {
    const named = /^(?:[^\s<>"(),;:\\@\u0000-\u001f\u007f][^<>"(),;:\\@\u0000-\u001f\u007f]{0,99}?\s*)?<([^<>]+)>$/.exec(text);
    return z.email().safeParse(named ? named[1] : text).success;
  }, 'expected an email address, like weather@example.com or Weather <weather@example.com>');

const emailFields = (maxRecipients: number) => ({
  to: z.array(z.email()).min(1).max(maxRecipients, `at most ${maxRecipients} recipients (the flow's email.maxRecipients)`),
  from: mailbox,
  subject: z.string().max(998),
  /** HTML. */
  body: z.string(),
  /** Images shown inline (CID), so the mail reads with no network. Not in the 2017 format. */
  inline: z.array(inlineImage).max(100).optional(),
  /** What the mail is about, for queries; not in the 2017 format. */
  imageId: imageId.optional(),
  validTime: epochMs.optional(),
});

function defineEmailMessages(maxRecipients: number) {
  const email = emailFields(maxRecipients);
  return {
    PleaseSendEmail: defineMessage('please-send-email', z.object(email), {
      key: (m) => m.imageId,
      time: (m) => m.validTime,
    }),
    DidSendEmail: defineMessage('did-send-email', z.object({ ...email, messageId: z.string().optional() }), {
      key: (m) => m.imageId,
      time: (m) => m.validTime,
    }),
  };
}

const emailMessagesByLimit = new Map<number, ReturnType<typeof defineEmailMessages>>();

/**
 * The mail messages for a recipient limit: one definition per limit, so the mediator and the
 * email sender built from the same config name the very same types, as a flow requires.
 */
export function emailMessages(maxRecipients = defaultMaxRecipients): ReturnType<typeof defineEmailMessages> {
  let messages = emailMessagesByLimit.get(maxRecipients);
  if (!messages) emailMessagesByLimit.set(maxRecipients, (messages = defineEmailMessages(maxRecipients)));
  return messages;
}

export const { PleaseSendEmail, DidSendEmail } = emailMessages();

export type PleaseFetchAmpImage = MessageOf<typeof PleaseFetchAmpImage>;
export type DidFetchAmpImage = MessageOf<typeof DidFetchAmpImage>;
export type PleaseCreateThumbnail = MessageOf<typeof PleaseCreateThumbnail>;
export type DidCreateThumbnail = MessageOf<typeof DidCreateThumbnail>;
export type PleaseCreateGif = MessageOf<typeof PleaseCreateGif>;
export type DidCreateGif = MessageOf<typeof DidCreateGif>;
export type PleaseSendEmail = MessageOf<typeof PleaseSendEmail>;
export type DidSendEmail = MessageOf<typeof DidSendEmail>;
