/** Cover-crops a frame to the size the message asks for (the 2017 code ignored it). */
import { NonRetriableError, compactTime, defineWorker, keySegment, shortHash } from 'dataflow';
import { coverThumbnail } from '../imaging/cover-thumbnail.js';
import { DidCreateThumbnail, PleaseCreateThumbnail } from '../messages.js';

export function createThumbnailCreator() {
  return defineWorker({
    name: 'thumbnail-creator',
    accepts: PleaseCreateThumbnail,
    replies: DidCreateThumbnail,
    concurrency: 2,
    async handle(request, { blobs }) {
      const source = await blobs.get(request.location);
      let thumbnail: Buffer;
      try {
        thumbnail = await coverThumbnail(source, request.width, request.height);
      } catch (error) {
        throw new NonRetriableError(`${request.location.Bucket}/${request.location.Key} is not an image sharp can read: ${(error as Error).message}`, { cause: error });
      }
      // From its source's bytes: another map at the same imageId and valid time (other layers) is
      // another thumbnail, not a replacement for one a GIF's mail already shows.
      const key = `${keySegment(request.imageId)}/${compactTime(request.validTime)}-${request.width}x${request.height}-${shortHash(source, 12)}.png`;
      const location = await blobs.put(key, thumbnail, { contentType: 'image/png' });
      // The source says which frame this thumbnail shows, so it is matched to that frame only.
      return { imageId: request.imageId, validTime: request.validTime, location, source: request.location, ...(request.map === undefined ? {} : { map: request.map }) };
    },
  });
}
