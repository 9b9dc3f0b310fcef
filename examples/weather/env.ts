/** Every environment variable the weather flow reads, in one place. */
export const env = {
  aerisClientId: 'AERIS_CLIENT_ID',
  aerisClientSecret: 'AERIS_CLIENT_SECRET',
  /** @defaultValue https://maps.aerisapi.com */
  aerisMapsUrl: 'AERIS_MAPS_URL',
  /** The largest answer the map fetcher reads, in bytes. @defaultValue 52428800 (50 MiB) */
  maxMapBytes: 'DATAFLOW_MAX_MAP_BYTES',
  /** `WIDTHxHEIGHT`, e.g. `200x200`. */
  thumbnailSize: 'DATAFLOW_THUMBNAIL_SIZE',
  framesPerGif: 'DATAFLOW_FRAMES_PER_GIF',
  gifDelayMs: 'DATAFLOW_GIF_DELAY_MS',
  /** `true`, `false` or a loop count. */
  gifLoop: 'DATAFLOW_GIF_LOOP',
  /**
   * The gif-creator's pixel budget: frames × width × height of one GIF, at most; larger requests
   * are dead-lettered at once. @defaultValue 250000000
   */
  gifMaxPixels: 'DATAFLOW_GIF_MAX_PIXELS',
  /** Comma-separated addresses. */
  emailTo: 'DATAFLOW_EMAIL_TO',
  emailFrom: 'DATAFLOW_EMAIL_FROM',
  /** The most recipients one mail may have. @defaultValue 50 */
  emailMaxRecipients: 'DATAFLOW_EMAIL_MAX_RECIPIENTS',
  emailSubject: 'DATAFLOW_EMAIL_SUBJECT',
  /**
   * The dashboard's address as mail recipients reach it (`https://weather.example.com`): mails
   * link their GIF to its `/blobs/` route. Unset: a presigned S3 link, or no link.
   */
  publicUrl: 'DATAFLOW_PUBLIC_URL',
  /** Cron expression for fetching the maps. */
  schedule: 'DATAFLOW_SCHEDULE',
} as const;
