/** The weather GIF flow: four dumb workers and the mediator that leads them. */
import { defineFlow, type Mailer } from 'dataflow';
import type { WeatherConfig } from './config.js';
import { env } from './env.js';
import { weatherMediator } from './mediator.js';
import { weatherSchedule } from './schedule.js';
import { createAmpImageFetcher, type AmpImageFetcherOptions } from './workers/amp-image-fetcher.js';
import { createEmailSender } from './workers/email-sender.js';
import { createGifCreator, type GifCreatorOptions } from './workers/gif-creator.js';
import { createThumbnailCreator } from './workers/thumbnail-creator.js';

export interface WeatherFlowOptions {
  config: WeatherConfig;
  mailer: Mailer;
  amp: AmpImageFetcherOptions;
  gif?: GifCreatorOptions;
}

export function weatherFlow({ config, mailer, amp, gif }: WeatherFlowOptions) {
  return defineFlow({
    name: 'weather-gifs',
    mediator: weatherMediator(config),
    workers: [createAmpImageFetcher(amp), createThumbnailCreator(), createGifCreator(gif), createEmailSender(mailer, { maxRecipients: config.email.maxRecipients })],
    schedule: weatherSchedule(config.schedule),
    // What each consumer may touch, so a deployment grants that and no more: only the fetcher
    // reads the Aeris credentials; each worker reads what it works on; the mediator links GIFs.
    access: {
      mediator: { reads: ['gif-creator/'] },
      'amp-image-fetcher': { secrets: [env.aerisClientId, env.aerisClientSecret], writes: ['amp-image-fetcher/'] },
      'thumbnail-creator': { reads: ['amp-image-fetcher/'], writes: ['thumbnail-creator/'] },
      'gif-creator': { reads: ['amp-image-fetcher/'], writes: ['gif-creator/'] },
      'email-sender': { reads: ['gif-creator/', 'thumbnail-creator/'], sendsMail: true },
    },
  });
}
