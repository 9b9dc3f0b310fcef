/**
 * The offline map source: renders believable AMP-style weather maps with no network, and serves
 * them over AMP's URL scheme so the weather flow runs end to end offline.
 */
export { startAmpServer, type AmpServer, type AmpServerOptions } from './amp-server.js';
export { formatCompactTime, formatHeaderDate, parseAmpTime, snapToFrame, type AmpTime } from './amp-time.js';
export { MapRequestError } from './errors.js';
export { PLACES, lookupPlace, type Place } from './gazetteer.js';
export {
  MAX_SIZE,
  MAX_ZOOM,
  MIN_SIZE,
  MIN_ZOOM,
  parseCenter,
  renderMap,
  validateMapRequest,
  type Center,
  type MapRequest,
  type RenderOptions,
} from './render-map.js';
