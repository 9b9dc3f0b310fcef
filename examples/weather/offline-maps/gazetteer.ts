/**
 * A small built-in gazetteer: the places the offline map source can centre on by name, and the
 * city labels it draws. Keys are `city,region` the way AMP URLs spell them (`tulsa,ok`,
 * `el dorado,ar`, `toronto,on`, `london,uk`), compared after {@link normalizePlace}.
 */

export interface Place {
  /** Label drawn on the map. */
  readonly name: string;
  /** State, province or country code, lower case. */
  readonly region: string;
  readonly lat: number;
  readonly lon: number;
  /** 1 = major city (labelled from zoom 3), 2 = regional (zoom 5), 3 = small (zoom 6). */
  readonly rank: 1 | 2 | 3;
}

// name, region, lat, lon, rank
type Row = readonly [string, string, number, number, 1 | 2 | 3];

const ROWS: readonly Row[] = [
  // United States: major cities
  ['New York', 'ny', 40.7128, -74.006, 1],
  ['Los Angeles', 'ca', 34.0522, -118.2437, 1],
  ['Chicago', 'il', 41.8781, -87.6298, 1],
  ['Houston', 'tx', 29.7604, -95.3698, 1],
  ['Phoenix', 'az', 33.4484, -112.074, 1],
  ['Philadelphia', 'pa', 39.9526, -75.1652, 1],
  ['San Antonio', 'tx', 29.4241, -98.4936, 1],
  ['San Diego', 'ca', 32.7157, -117.1611, 1],
  ['Dallas', 'tx', 32.7767, -96.797, 1],
  ['San Francisco', 'ca', 37.7749, -122.4194, 1],
  ['Seattle', 'wa', 47.6062, -122.3321, 1],
  ['Denver', 'co', 39.7392, -104.9903, 1],
  ['Washington', 'dc', 38.9072, -77.0369, 1],
  ['Boston', 'ma', 42.3601, -71.0589, 1],
  ['Atlanta', 'ga', 33.749, -84.388, 1],
  ['Miami', 'fl', 25.7617, -80.1918, 1],
  ['Detroit', 'mi', 42.3314, -83.0458, 1],
  ['Minneapolis', 'mn', 44.9778, -93.265, 1],
  ['St. Louis', 'mo', 38.627, -90.1994, 1],
  ['New Orleans', 'la', 29.9511, -90.0715, 1],
  ['Kansas City', 'mo', 39.0997, -94.5786, 1],
  ['Salt Lake City', 'ut', 40.7608, -111.891, 1],
  ['Las Vegas', 'nv', 36.1699, -115.1398, 1],
  ['Portland', 'or', 45.5152, -122.6784, 1],
  // United States: regional cities
  ['Austin', 'tx', 30.2672, -97.7431, 2],
  ['Jacksonville', 'fl', 30.3322, -81.6557, 2],
  ['Columbus', 'oh', 39.9612, -82.9988, 2],
  ['Charlotte', 'nc', 35.2271, -80.8431, 2],
  ['Indianapolis', 'in', 39.7684, -86.1581, 2],
  ['Fort Worth', 'tx', 32.7555, -97.3308, 3],
  ['El Paso', 'tx', 31.7619, -106.485, 2],
  ['Nashville', 'tn', 36.1627, -86.7816, 2],
  ['Memphis', 'tn', 35.1495, -90.049, 2],
  ['Louisville', 'ky', 38.2527, -85.7585, 2],
  ['Baltimore', 'md', 39.2904, -76.6122, 2],
  ['Milwaukee', 'wi', 43.0389, -87.9065, 2],
  ['Albuquerque', 'nm', 35.0844, -106.6504, 2],
  ['Tucson', 'az', 32.2226, -110.9747, 2],
  ['Oklahoma City', 'ok', 35.4676, -97.5164, 2],
  ['Tulsa', 'ok', 36.154, -95.9928, 2],
  ['Omaha', 'ne', 41.2565, -95.9345, 2],
  ['Raleigh', 'nc', 35.7796, -78.6382, 2],
  ['Tampa', 'fl', 27.9506, -82.4572, 2],
  ['Orlando', 'fl', 28.5383, -81.3792, 2],
  ['Pittsburgh', 'pa', 40.4406, -79.9959, 2],
  ['Cincinnati', 'oh', 39.1031, -84.512, 2],
  ['Cleveland', 'oh', 41.4993, -81.6944, 2],
  ['Birmingham', 'al', 33.5186, -86.8104, 2],
  ['Little Rock', 'ar', 34.7465, -92.2896, 2],
  ['Jackson', 'ms', 32.2988, -90.1848, 2],
  ['Charleston', 'sc', 32.7765, -79.9311, 2],
  ['Richmond', 'va', 37.5407, -77.436, 2],
  ['Buffalo', 'ny', 42.8864, -78.8784, 2],
  ['Boise', 'id', 43.615, -116.2023, 2],
  ['Sacramento', 'ca', 38.5816, -121.4944, 2],
  ['Spokane', 'wa', 47.6588, -117.426, 2],
  ['Billings', 'mt', 45.7833, -108.5007, 2],
  ['Fargo', 'nd', 46.8772, -96.7898, 2],
  ['Sioux Falls', 'sd', 43.5446, -96.7311, 2],
  ['Des Moines', 'ia', 41.5868, -93.625, 2],
  ['Wichita', 'ks', 37.6872, -97.3301, 2],
  ['Amarillo', 'tx', 35.222, -101.8313, 2],
  ['Cheyenne', 'wy', 41.14, -104.8202, 2],
  ['Rapid City', 'sd', 44.0805, -103.231, 2],
  ['Duluth', 'mn', 46.7867, -92.1005, 2],
  ['Green Bay', 'wi', 44.5133, -88.0133, 3],
  ['Savannah', 'ga', 32.0809, -81.0912, 2],
  ['Mobile', 'al', 30.6954, -88.0399, 3],
  ['Shreveport', 'la', 32.5252, -93.7502, 2],
  ['Knoxville', 'tn', 35.9606, -83.9207, 3],
  ['Chattanooga', 'tn', 35.0456, -85.3097, 3],
  ['Anchorage', 'ak', 61.2181, -149.9003, 2],
  ['Honolulu', 'hi', 21.3069, -157.8583, 2],
  ['Reno', 'nv', 39.5296, -119.8138, 2],
  ['Lubbock', 'tx', 33.5779, -101.8552, 3],
  ['Corpus Christi', 'tx', 27.8006, -97.3964, 3],
  ['Baton Rouge', 'la', 30.4515, -91.1871, 3],
  ['Lexington', 'ky', 38.0406, -84.5037, 3],
  ['Columbia', 'sc', 34.0007, -81.0348, 3],
  ['Norfolk', 'va', 36.8508, -76.2859, 3],
  ['Hartford', 'ct', 41.7658, -72.6734, 3],
  ['Providence', 'ri', 41.824, -71.4128, 3],
  ['Portland', 'me', 43.6591, -70.2568, 3],
  ['Burlington', 'vt', 44.4759, -73.2121, 3],
  ['Albany', 'ny', 42.6526, -73.7562, 3],
  ['Syracuse', 'ny', 43.0481, -76.1474, 3],
  ['Madison', 'wi', 43.0731, -89.4012, 3],
  // United States: small places the seed messages use, and neighbours
  ['Athens', 'ga', 33.9519, -83.3576, 3],
  ['El Dorado', 'ar', 33.2076, -92.6663, 3],
  ['Macon', 'ga', 32.8407, -83.6324, 3],
  ['Augusta', 'ga', 33.4735, -82.0105, 3],
  ['Columbus', 'ga', 32.461, -84.9877, 3],
  ['Greenville', 'sc', 34.8526, -82.394, 3],
  ['Asheville', 'nc', 35.5951, -82.5515, 3],
  ['Tallahassee', 'fl', 30.4383, -84.2807, 3],
  ['Montgomery', 'al', 32.3792, -86.3077, 3],
  ['Huntsville', 'al', 34.7304, -86.5861, 3],
  ['Fayetteville', 'ar', 36.0822, -94.1719, 3],
  ['Springfield', 'mo', 37.2089, -93.2923, 3],
  ['Lincoln', 'ne', 40.8136, -96.7026, 3],
  ['Topeka', 'ks', 39.0473, -95.6752, 3],
  ['Rochester', 'mn', 44.0121, -92.4802, 3],
  ['St. Paul', 'mn', 44.9537, -93.09, 3],
  ['Flagstaff', 'az', 35.1983, -111.6513, 3],
  ['Norman', 'ok', 35.2226, -97.4395, 3],
  // Canada, Mexico, Caribbean
  ['Toronto', 'on', 43.6532, -79.3832, 1],
  ['Montreal', 'qc', 45.5017, -73.5673, 1],
  ['Vancouver', 'bc', 49.2827, -123.1207, 1],
  ['Ottawa', 'on', 45.4215, -75.6972, 2],
  ['Winnipeg', 'mb', 49.8951, -97.1384, 2],
  ['Calgary', 'ab', 51.0447, -114.0719, 2],
  ['Mexico City', 'mx', 19.4326, -99.1332, 1],
  ['Monterrey', 'mx', 25.6866, -100.3161, 1],
  ['Havana', 'cu', 23.1136, -82.3666, 1],
  // World
  ['London', 'uk', 51.5074, -0.1278, 1],
  ['Paris', 'fr', 48.8566, 2.3522, 1],
  ['Berlin', 'de', 52.52, 13.405, 1],
  ['Madrid', 'es', 40.4168, -3.7038, 1],
  ['Rome', 'it', 41.9028, 12.4964, 1],
  ['Moscow', 'ru', 55.7558, 37.6173, 1],
  ['Cairo', 'eg', 30.0444, 31.2357, 1],
  ['Mumbai', 'in', 19.076, 72.8777, 1],
  ['Beijing', 'cn', 39.9042, 116.4074, 1],
  ['Tokyo', 'jp', 35.6762, 139.6503, 1],
  ['Sydney', 'au', -33.8688, 151.2093, 1],
  ['Sao Paulo', 'br', -23.5505, -46.6333, 1],
];

export const PLACES: readonly Place[] = ROWS.map(([name, region, lat, lon, rank]) => ({
  name,
  region,
  lat,
  lon,
  rank,
}));

/** Lower case, no dots, single spaces, no spaces around commas: `St. Louis, MO` -> `st louis,mo`. */
export function normalizePlace(text: string): string {
  return text
    .toLowerCase()
    .replace(/\./g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*,\s*/g, ',')
    .trim();
}

const ALIASES: Readonly<Record<string, string>> = {
  'saint louis,mo': 'st louis,mo',
  'saint paul,mn': 'st paul,mn',
  'washington dc,dc': 'washington,dc',
  'washington,dc,us': 'washington,dc',
  'new york city,ny': 'new york,ny',
  'london,gb': 'london,uk',
  'london,england': 'london,uk',
  'sao paulo,sp': 'sao paulo,br',
};

const INDEX: ReadonlyMap<string, Place> = (() => {
  const map = new Map<string, Place>();
  for (const place of PLACES) map.set(normalizePlace(`${place.name},${place.region}`), place);
  for (const [alias, key] of Object.entries(ALIASES)) {
    const place = map.get(key);
    if (place) map.set(alias, place);
  }
  return map;
})();

/** The place for an AMP-style name like `athens,ga`, or undefined. */
export function lookupPlace(name: string): Place | undefined {
  return INDEX.get(normalizePlace(name));
}
