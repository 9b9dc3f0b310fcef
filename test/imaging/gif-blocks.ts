/** Reads the block structure of a GIF, enough for tests to check what a decoder cannot show. */

export interface GifImageBlock {
  left: number;
  top: number;
  width: number;
  height: number;
  localColourTable: boolean;
  delayCs?: number;
  disposal?: number;
  transparentIndex?: number;
}

export interface GifBlocks {
  width: number;
  height: number;
  globalColours: number;
  /** NETSCAPE2.0 repeat count, absent when the file has no looping extension. */
  netscapeLoops?: number;
  images: GifImageBlock[];
}

export function readGifBlocks(gif: Buffer): GifBlocks {
  if (gif.toString('latin1', 0, 6) !== 'GIF89a') throw new Error('not a GIF89a file');
  const flags = gif[10]!;
  const globalColours = flags & 0x80 ? 1 << ((flags & 7) + 1) : 0;
  const result: GifBlocks = { width: gif.readUInt16LE(6), height: gif.readUInt16LE(8), globalColours, images: [] };
  let at = 13 + globalColours * 3;
  let control: Partial<GifImageBlock> = {};
  const skipSubBlocks = () => {
    while (gif[at] !== 0) at += gif[at]! + 1;
    at++;
  };
  while (at < gif.length) {
    const introducer = gif[at++];
    if (introducer === 0x3b) return result;
    if (introducer === 0x21) {
      const label = gif[at++];
      if (label === 0xf9) {
        const packed = gif[at + 1]!;
        control = {
          delayCs: gif.readUInt16LE(at + 2),
          disposal: (packed >> 2) & 7,
          ...(packed & 1 ? { transparentIndex: gif[at + 4]! } : {}),
        };
      } else if (label === 0xff && gif.toString('latin1', at + 1, at + 12) === 'NETSCAPE2.0') {
        result.netscapeLoops = gif.readUInt16LE(at + 14);
      }
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      const packed = gif[at + 8]!;
      result.images.push({
        left: gif.readUInt16LE(at),
        top: gif.readUInt16LE(at + 2),
        width: gif.readUInt16LE(at + 4),
        height: gif.readUInt16LE(at + 6),
        localColourTable: (packed & 0x80) !== 0,
        ...control,
      });
      at += 9 + (packed & 0x80 ? 3 << ((packed & 7) + 1) : 0) + 1;
      skipSubBlocks();
      control = {};
    } else {
      throw new Error(`unknown GIF block 0x${introducer?.toString(16)} at byte ${at - 1}`);
    }
  }
  throw new Error('GIF has no trailer');
}
