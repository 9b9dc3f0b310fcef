/** Renders one frame in a fresh process and prints its SHA-256, for the determinism test. */
import { createHash } from 'node:crypto';
import { renderMap, type MapRequest } from '../../examples/weather/offline-maps/render-map.js';

const request = JSON.parse(process.argv[2] ?? '{}') as MapRequest;
const png = await renderMap(request);
process.stdout.write(createHash('sha256').update(png).digest('hex'));
