/**
 * A thumbnail that fills its box: scaled to cover `width` x `height`, then centre-cropped to
 * exactly that size, as PNG. Same result as ImageMagick's
 * `convert in -resize WxH^ -gravity center -extent WxH out.png` (placement may differ by one
 * pixel, see NOTES), measured against it in `bench/imaging.ts`.
 */
import sharp from 'sharp';
import { NonRetriableError } from 'dataflow';

/** The largest side a thumbnail may have, in pixels. */
export const MAX_THUMBNAIL_SIDE = 4096;

export async function coverThumbnail(input: Buffer, width: number, height: number): Promise<Buffer> {
  checkSide('width', width);
  checkSide('height', height);
  if (!Buffer.isBuffer(input) || input.length === 0) {
    throw new NonRetriableError('input is not a decodable image: expected a non-empty Buffer');
  }
  try {
    return await sharp(input)
      .autoOrient()
      .resize(width, height, { fit: 'cover', position: 'centre' })
      // ImageMagick's PNG defaults (zlib 7, adaptive filters): a third smaller than sharp's
      // unfiltered default on map thumbnails, for a few milliseconds.
      .png({ compressionLevel: 7, adaptiveFiltering: true })
      .toBuffer();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NonRetriableError(`input is not a decodable image: ${reason}`, { cause: error });
  }
}

function checkSide(field: 'width' | 'height', value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_THUMBNAIL_SIDE) {
    throw new NonRetriableError(`${field} must be a whole number of pixels from 1 to ${MAX_THUMBNAIL_SIDE}, got ${String(value)}`);
  }
}
