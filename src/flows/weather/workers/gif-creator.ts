/** Makes an animated GIF of the frames in the order the message gives them, in-process. */
import { NonRetriableError, compactTime, defineWorker, keySegment, shortHash } from '../../../index.js';
import { encodeGif } from '../imaging/encode-gif.js';
import { DidCreateGif, PleaseCreateGif } from '../messages.js';

export function createGifCreator() {
  return defineWorker({
    name: 'gif-creator',
    accepts: PleaseCreateGif,
    replies: DidCreateGif,
    concurrency: 1,
    timeoutMs: 300_000,
    async handle(request, { blobs }) {
      const frames = await Promise.all(request.locations.map((location) => blobs.get(location)));
      let gif: Buffer;
      try {
        gif = await encodeGif(frames, { delayMs: request.gifDelay, loop: request.gifLoop });
      } catch (error) {
        throw new NonRetriableError(`cannot make a GIF of ${request.locations.length} frames: ${(error as Error).message}`, { cause: error });
      }
      // From all the GIF is made of: its frames (written once, so their locations name their bytes)
      // and how they play.
      const source = JSON.stringify([request.locations, request.gifDelay, request.gifLoop]);
      const key = `${keySegment(request.imageId)}/${compactTime(request.validTime)}-${shortHash(source, 12)}.gif`;
      const location = await blobs.put(key, gif, { contentType: 'image/gif' });
      return { imageId: request.imageId, validTime: request.validTime, location };
    },
  });
}
