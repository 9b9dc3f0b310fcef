/**
 * The mediator's config: everything the flow decides with lives here, never in a worker.
 * Explicit values beat the environment, which beats the config file, which beats the defaults.
 */
import { z } from 'zod';
import { hasCredentials, hideCredentials } from 'dataflow';
import { env } from './env.js';
import { defaultMaxRecipients, mailbox } from './messages.js';

const mapRequest = z.object({
  imageId: z.string().min(1),
  layers: z.array(z.string().min(1)).min(1),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  center: z.string().min(1),
  zoom: z.number().int().min(0).max(22),
  /** Frames to fetch each round, as AMP times: relative like `-30m`, or absolute. */
  validTimes: z.array(z.union([z.string(), z.number()])).min(1),
});

export const weatherConfigSchema = z.object({
  /** Thumbnail size for every frame. */
  thumbnail: z.object({ width: z.number().int().positive().max(4096), height: z.number().int().positive().max(4096) }),
  /** New frames of one `imageId` that make one GIF (at most 99: its mail shows each frame's thumbnail inline). */
  framesPerGif: z.number().int().min(1).max(99),
  /** Milliseconds each GIF frame shows. */
  gifDelayMs: z.number().int().min(0).max(65_000),
  /** `true` loops forever, `false` plays once, a number loops that many times. */
  gifLoop: z.union([z.boolean(), z.number().int().min(0).max(65_535)]),
  email: z.object({
    to: z.array(z.email()).min(1),
    /** A bare address, or one with a plain display name: `Weather <weather@example.com>`. */
    from: mailbox,
    /** The most recipients a mail message may name, the mediator's and any sent from outside. */
    maxRecipients: z.number().int().min(1).max(10_000),
    /** Plain text; placeholders: {{imageId}} {{validFrom}} {{validTo}} {{frameCount}}. */
    subject: z.string(),
    /**
     * HTML; placeholders as in the subject (HTML-escaped), plus {{gifUrl}}, and {{gif}} and
     * {{thumbnails}}, which stand for the inline images. `{{#gifUrl}}…{{/gifUrl}}` is kept only
     * when there is a link a recipient can open (see `publicUrl`). The mail's text/plain part is
     * made from it.
     */
    body: z.string(),
  }).refine((email) => email.to.length <= email.maxRecipients, { path: ['to'], message: 'more recipients than email.maxRecipients allows' }),
  /**
   * The dashboard's address as mail recipients reach it, e.g. `https://weather.example.com`:
   * mails link their GIF to its `/blobs/` route (which asks for the dashboard's token off
   * loopback). Unset: the blob store's own link if it is http(s) (a presigned S3 URL), else none;
   * a file on this server is never linked.
   */
  publicUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL, like https://weather.example.com' })
    .refine((url) => !hasCredentials(url), 'must not carry a user or password: every recipient would read it')
    .refine((url) => !/[?#]/.test(url), 'must be a plain address, with no query or fragment')
    .optional(),
  schedule: z.object({
    /** Cron expression (5 or 6 fields); the talk fetched every 7 minutes. */
    cron: z.string().min(1),
    maps: z.array(mapRequest),
  }),
});

export type WeatherConfig = z.infer<typeof weatherConfigSchema>;
export type MapRequest = z.infer<typeof mapRequest>;

export const defaultWeatherConfig = {
  thumbnail: { width: 200, height: 200 },
  framesPerGif: 5,
  gifDelayMs: 250,
  gifLoop: true,
  email: {
    to: ['weather@example.com'],
    from: 'dataflow@example.com',
    maxRecipients: defaultMaxRecipients,
    subject: 'Weather GIF: {{imageId}}, {{validFrom}} to {{validTo}}',
    body: [
      '<h1>{{imageId}}</h1>',
      '<p>{{frameCount}} frames, valid {{validFrom}} to {{validTo}}.</p>',
      '<p>{{gif}}</p>',
      '<p>{{thumbnails}}</p>',
      '{{#gifUrl}}<p><a href="{{gifUrl}}">Open the GIF</a></p>{{/gifUrl}}',
    ].join('\n'),
  },
  schedule: {
    cron: '*/7 * * * *',
    maps: [
      {
        imageId: 'OSN 2017 Demo',
        layers: ['flat-dk', 'radar', 'admin-cities-dk'],
        width: 800,
        height: 600,
        center: 'athens,ga',
        zoom: 5,
        validTimes: ['-40m', '-30m', '-20m', '-10m', '-0m'],
      },
    ],
  },
} satisfies WeatherConfig;

/** A partial config: what a file, the environment or a caller sets. */
export type WeatherConfigLayer = Partial<Omit<WeatherConfig, 'email' | 'schedule'>> & {
  email?: Partial<WeatherConfig['email']>;
  schedule?: Partial<WeatherConfig['schedule']>;
};

/**
 * Loads the config: defaults, then the config file's values (read by the host, `file` names it in
 * errors), then the environment, then `overrides`.
 */
export function loadWeatherConfig(
  options: { values?: Readonly<Record<string, unknown>>; file?: string; environment?: Readonly<Record<string, string | undefined>>; overrides?: WeatherConfigLayer } = {},
): WeatherConfig {
  const environment = options.environment ?? process.env;
  const file = options.file;
  const layers: WeatherConfigLayer[] = [defaultWeatherConfig, (options.values ?? {}) as WeatherConfigLayer, fromEnvironment(environment), options.overrides ?? {}];
  const merged = layers.reduce<WeatherConfigLayer>(
    (into, layer) => ({ ...into, ...layer, email: { ...into.email, ...layer.email }, schedule: { ...into.schedule, ...layer.schedule } }),
    {},
  );
  const result = weatherConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid weather flow config${file ? ` (file ${file})` : ''}: ${problems.join('; ')}`);
  }
  return result.data;
}

function fromEnvironment(environment: Readonly<Record<string, string | undefined>>): WeatherConfigLayer {
  const config: WeatherConfigLayer = {};
  const get = (name: string) => {
    const value = environment[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string) => {
    const value = get(name);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
  const size = get(env.thumbnailSize);
  if (size !== undefined) {
    const match = /^(\d+)x(\d+)$/.exec(size);
    if (!match) throw new Error(`${env.thumbnailSize} must look like 200x200, got ${JSON.stringify(size)}`);
    config.thumbnail = { width: Number(match[1]), height: Number(match[2]) };
  }
  const frames = integer(env.framesPerGif);
  if (frames !== undefined) config.framesPerGif = frames;
  const delay = integer(env.gifDelayMs);
  if (delay !== undefined) config.gifDelayMs = delay;
  const loop = get(env.gifLoop);
  if (loop !== undefined) config.gifLoop = loop === 'true' ? true : loop === 'false' ? false : Number(loop);
  const email: Partial<WeatherConfig['email']> = {};
  const to = get(env.emailTo);
  if (to !== undefined) email.to = to.split(',').map((a) => a.trim()).filter(Boolean);
  const from = get(env.emailFrom);
  if (from !== undefined) email.from = from;
  const maxRecipients = integer(env.emailMaxRecipients);
  if (maxRecipients !== undefined) email.maxRecipients = maxRecipients;
  const subject = get(env.emailSubject);
  if (subject !== undefined) email.subject = subject;
  if (Object.keys(email).length) config.email = email;
  const publicUrl = get(env.publicUrl);
  if (publicUrl !== undefined) {
    const problem = weatherConfigSchema.shape.publicUrl.safeParse(publicUrl).error?.issues[0]?.message;
    if (problem) throw new Error(`${env.publicUrl} ${problem}, got ${JSON.stringify(hideCredentials(publicUrl))}`);
    config.publicUrl = publicUrl;
  }
  const cron = get(env.schedule);
  if (cron !== undefined) config.schedule = { cron };
  return config;
}
