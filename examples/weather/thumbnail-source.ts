/**
 * Which thumbnail is a frame's: the one made from it. Maps of one imageId with other layers share
 * its valid times, and a frame fetched again may come back with other bytes, so the valid time
 * alone names several thumbnails; the `source` a thumbnail carries names one frame. A thumbnail
 * with no source (a 2017 sender's) is matched by its valid time, as it was then.
 */
import type { Location } from 'dataflow';

export interface ThumbnailOrigin {
  map?: unknown;
  source?: unknown;
}

export const sameLocation = (a: Location, b: Location): boolean => a.Bucket === b.Bucket && a.Key === b.Key;

const isLocation = (value: unknown): value is Location =>
  typeof value === 'object' && value !== null && typeof (value as Location).Bucket === 'string' && typeof (value as Location).Key === 'string';

/** True when `thumbnail` may stand for `frame`, a frame of `map` (undefined: a frame with no map). */
export function madeFrom(thumbnail: ThumbnailOrigin, map: string | undefined, frame: Location): boolean {
  if (thumbnail.map !== map) return false;
  if (thumbnail.source === undefined) return true;
  return isLocation(thumbnail.source) && sameLocation(thumbnail.source, frame);
}

/** The thumbnail of `frame` among those at its valid time: one made from it, else one that names no source. */
export function thumbnailOf<T extends ThumbnailOrigin>(candidates: readonly T[], map: string | undefined, frame: Location): T | undefined {
  const fitting = candidates.filter((t) => madeFrom(t, map, frame));
  return fitting.find((t) => t.source !== undefined) ?? fitting[0];
}
