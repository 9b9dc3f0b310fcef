/**
 * Makes an animated GIF of the frames in the order the message gives them, in-process. Frames are
 * read from the blob store as the encoder needs them, so memory does not grow with their number.
 */
import { NonRetriableError, compactTime, defineWorker, keySegment, shortHash } from 'dataflow';
import { env } from '../env.js';
import { GifTooLargeError, encodeGif, gifEncoderSettings } from '../imaging/encode-gif.js';
import { DidCreateGif, PleaseCreateGif } from '../messages.js';

export interface GifCreatorOptions {
  /**
   * The most pixels one GIF may hold: frames × width × height (of the first frame, which sets the
   * size). A larger request is dead-lettered at once, naming its size and the budget.
   * Workers read no settings: the command line passes `DATAFLOW_GIF_MAX_PIXELS` here.
   * @defaultValue 250_000_000 (500 frames of 800x600, `gifEncoderSettings.maxPixels`)
   */
  maxPixels?: number;
}

export function createGifCreator(options: GifCreatorOptions = {}) {
  const maxPixels = options.maxPixels ?? gifEncoderSettings.maxPixels;
  if (!Number.isSafeInteger(maxPixels) || maxPixels < 1) {
    throw new Error(`the gif-creator's maxPixels (${env.gifMaxPixels}) must be a whole number of pixels above 0, got ${maxPixels}`);
  }
  return defineWorker({
    name: 'gif-creator',
    accepts: PleaseCreateGif,
    replies: DidCreateGif,
    concurrency: 1,
    timeoutMs: 300_000,
    async handle(request, { blobs }) {
      const { locations } = request;
      let gif: Buffer;
      try {
        gif = await encodeGif({ count: locations.length, read: (index) => blobs.get(locations[index]!) }, { delayMs: request.gifDelay, loop: request.gifLoop, maxPixels });
      } catch (error) {
        // A frame that cannot be read may be readable later (the store is down): that is retried.
        if (!(error instanceof NonRetriableError)) throw error;
        const hint = error instanceof GifTooLargeError ? `; ${env.gifMaxPixels} sets the budget` : '';
        throw new NonRetriableError(`cannot make a GIF of ${locations.length} frames: ${error.message}${hint}`, { cause: error });
      }
      // From all the GIF is made of: its frames (written once, so their locations name their bytes)
      // and how they play.
      const source = JSON.stringify([request.locations, request.gifDelay, request.gifLoop]);
      const key = `${keySegment(request.imageId)}/${compactTime(request.validTime)}-${shortHash(source, 12)}.gif`;
      const location = await blobs.put(key, gif, { contentType: 'image/gif' });
      return { imageId: request.imageId, validTime: request.validTime, location, ...(request.map === undefined ? {} : { map: request.map }) };
    },
  });
}
