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
  /** Comma-separated addresses. */
  emailTo: 'DATAFLOW_EMAIL_TO',
  emailFrom: 'DATAFLOW_EMAIL_FROM',
  emailSubject: 'DATAFLOW_EMAIL_SUBJECT',
  /** Cron expression for fetching the maps. */
  schedule: 'DATAFLOW_SCHEDULE',
} as const;
