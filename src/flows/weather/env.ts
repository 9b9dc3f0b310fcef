/** Every environment variable the weather flow reads, in one place. */
export const env = {
  /** Path of the config file. @defaultValue `./dataflow.config.json` when it exists */
  config: 'DATAFLOW_CONFIG',
  aerisClientId: 'AERIS_CLIENT_ID',
  aerisClientSecret: 'AERIS_CLIENT_SECRET',
  /** @defaultValue https://maps.aerisapi.com */
  aerisMapsUrl: 'AERIS_MAPS_URL',
  /** `WIDTHxHEIGHT`, e.g. `200x200`. */
  thumbnailSize: 'DATAFLOW_THUMBNAIL_SIZE',
  framesPerGif: 'DATAFLOW_FRAMES_PER_GIF',
  gifDelayMs: 'DATAFLOW_GIF_DELAY_MS',
  /** `true`, `false` or a loop count. */
  gifLoop: 'DATAFLOW_GIF_LOOP',
  /** Comma-separated addresses. */
  emailTo: 'DATAFLOW_EMAIL_TO',
  emailFrom: 'DATAFLOW_EMAIL_FROM',
  /** The most recipients one mail may have. @defaultValue 50 */
  emailMaxRecipients: 'DATAFLOW_EMAIL_MAX_RECIPIENTS',
  emailSubject: 'DATAFLOW_EMAIL_SUBJECT',
  /** Cron expression for fetching the maps. */
  schedule: 'DATAFLOW_SCHEDULE',
} as const;
