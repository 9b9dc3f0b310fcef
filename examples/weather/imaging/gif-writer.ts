/**
 * Assembles a GIF89a file from already-compressed frames: header, logical screen with one global
 * colour table, the NETSCAPE2.0 looping extension, then per frame a graphic control extension
 * (delay, transparency, disposal "leave in place") and an image descriptor with its data.
 * Layout per the GIF89a specification, https://www.w3.org/Graphics/GIF/spec-gif89a.txt
 */

export interface GifFrameBlock {
  left: number;
  top: number;
  width: number;
  height: number;
  /** Delay in hundredths of a second. */
  delayCs: number;
  /** Palette index that leaves the previous frame's pixel showing, if the frame uses one. */
  transparentIndex?: number;
  /** LZW image data as made by {@link LzwEncoder.encode}. */
  data: Uint8Array;
}

export interface GifFileSpec {
  width: number;
  height: number;
  /** RGB triplets, at most 256 of them. */
  palette: Uint8Array;
  /** NETSCAPE loop count: 0 loops forever; `undefined` writes no extension (play once). */
  loopCount?: number;
  frames: GifFrameBlock[];
}

export function writeGif(spec: GifFileSpec): Buffer {
  const colours = spec.palette.length / 3;
  if (!Number.isInteger(colours) || colours < 1 || colours > 256) {
    throw new RangeError(`palette must hold 1..256 RGB triplets, got ${spec.palette.length} bytes`);
  }
  const tableBits = Math.max(1, Math.ceil(Math.log2(colours)));
  const tableBytes = 3 * (1 << tableBits);

  const parts: Uint8Array[] = [];
  const header = Buffer.alloc(13 + tableBytes);
  header.write('GIF89a', 0, 'latin1');
  header.writeUInt16LE(spec.width, 6);
  header.writeUInt16LE(spec.height, 8);
  // Global colour table present, 8 bits of colour resolution, table size 2 ** (tableBits).
  header[10] = 0x80 | (7 << 4) | (tableBits - 1);
  header[11] = 0; // background colour index
  header[12] = 0; // no aspect ratio
  header.set(spec.palette, 13);
  parts.push(header);

  if (spec.loopCount !== undefined) {
    const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0', 'latin1'), 0x03, 0x01, 0, 0, 0x00]);
    loop.writeUInt16LE(spec.loopCount, 16);
    parts.push(loop);
  }

  for (const frame of spec.frames) {
    const block = Buffer.alloc(8 + 10);
    const transparent = frame.transparentIndex !== undefined;
    block[0] = 0x21;
    block[1] = 0xf9;
    block[2] = 4;
    // Disposal 1 (do not dispose): the next frame draws over this one.
    block[3] = (1 << 2) | (transparent ? 1 : 0);
    block.writeUInt16LE(Math.max(0, Math.min(0xffff, Math.round(frame.delayCs))), 4);
    block[6] = transparent ? frame.transparentIndex! : 0;
    block[7] = 0;
    block[8] = 0x2c;
    block.writeUInt16LE(frame.left, 9);
    block.writeUInt16LE(frame.top, 11);
    block.writeUInt16LE(frame.width, 13);
    block.writeUInt16LE(frame.height, 15);
    block[17] = 0; // no local colour table, not interlaced
    parts.push(block, frame.data);
  }
  parts.push(Buffer.from([0x3b]));
  return Buffer.concat(parts);
}
