/**
 * Where `encodeGif` gets its frames: an array in memory, or a source that reads each frame when
 * it is needed (from blob storage, from disk), so that only a few are ever held at once.
 */
import sharp, { type OutputInfo } from 'sharp';
import { NonRetriableError } from 'dataflow';

export interface FrameSource {
  /** How many frames, in order. */
  count: number;
  /** Frame `index`, encoded (PNG, JPEG, any format sharp reads). May be called more than once. */
  read(index: number): Promise<Buffer>;
}

export function frameSource(frames: Buffer[] | FrameSource): FrameSource {
  if (Array.isArray(frames)) {
    frames.forEach((frame, index) => checkFrame(frame, index));
    return { count: frames.length, read: async (index) => frames[index]! };
  }
  if (!frames || !Number.isInteger(frames.count) || frames.count < 0 || typeof frames.read !== 'function') {
    throw new NonRetriableError('frames must be an array of images or a source with a count and a read(index) function');
  }
  return { count: frames.count, read: async (index) => checkFrame(await frames.read(index), index) };
}

function checkFrame(frame: unknown, index: number): Buffer {
  if (!Buffer.isBuffer(frame) || frame.length === 0) {
    throw new NonRetriableError(`frames[${index}] is not a decodable image: expected a non-empty Buffer`);
  }
  return frame;
}

/** Width and height as decoded (after EXIF orientation), from the header alone. */
export async function frameSize(input: Buffer, index: number): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(input).metadata();
    const { width, height } = meta.autoOrient ?? meta;
    if (!width || !height) throw new Error('it has no size');
    return { width, height };
  } catch (error) {
    throw notDecodable(error, index);
  }
}

/**
 * Decodes a frame to RGBA (transparency on `background`). With `size`, a frame of another size is
 * scaled to cover it and centre-cropped.
 */
export async function decodeFrame(
  input: Buffer,
  index: number,
  options: { background: { r: number; g: number; b: number }; size?: { width: number; height: number } },
): Promise<{ data: Buffer; info: OutputInfo }> {
  try {
    let image = sharp(input).autoOrient().flatten({ background: options.background });
    if (options.size) image = image.resize(options.size.width, options.size.height, { fit: 'cover', position: 'centre' });
    const decoded = await image.toColourspace('srgb').ensureAlpha(1).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (decoded.info.channels !== 4) throw new Error(`decoded to ${decoded.info.channels} channels, expected 4`);
    return decoded;
  } catch (error) {
    throw notDecodable(error, index);
  }
}

function notDecodable(error: unknown, index: number): NonRetriableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new NonRetriableError(`frames[${index}] is not a decodable image: ${reason}`, { cause: error });
}
