/**
 * Deterministic gradient noise for the synthetic weather fields.
 *
 * A fixed seed builds the permutation table at module load, so every process renders the same
 * field for the same coordinates: no Math.random anywhere. Output is roughly in [-1, 1].
 */

/** A deterministic 0..1 random source (mulberry32): the same seed draws the same numbers everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildPermutation(seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const p = new Uint8Array(256);
  for (let i = 0; i < 256; i++) p[i] = i;
  for (let i = 255; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = p[i]!;
    p[i] = p[j]!;
    p[j] = tmp;
  }
  const doubled = new Uint8Array(512);
  for (let i = 0; i < 512; i++) doubled[i] = p[i & 255]!;
  return doubled;
}

const PERM = buildPermutation(0x5eed_2017);

// The 12 edge midpoints of a cube, as gradient directions (x, y, z).
const GRAD3 = new Float64Array([
  1, 1, 0, -1, 1, 0, 1, -1, 0, -1, -1, 0,
  1, 0, 1, -1, 0, 1, 1, 0, -1, -1, 0, -1,
  0, 1, 1, 0, -1, 1, 0, 1, -1, 0, -1, -1,
]);

function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

function dot3(hash: number, x: number, y: number, z: number): number {
  const g = (hash % 12) * 3;
  return GRAD3[g]! * x + GRAD3[g + 1]! * y + GRAD3[g + 2]! * z;
}

/** 3D gradient noise, about [-1, 1]. */
export function noise3(x: number, y: number, z: number): number {
  const fx = Math.floor(x);
  const fy = Math.floor(y);
  const fz = Math.floor(z);
  const X = fx & 255;
  const Y = fy & 255;
  const Z = fz & 255;
  x -= fx;
  y -= fy;
  z -= fz;
  const u = fade(x);
  const v = fade(y);
  const w = fade(z);
  const P = PERM;
  const A = P[X]! + Y;
  const AA = P[A]! + Z;
  const AB = P[A + 1]! + Z;
  const B = P[X + 1]! + Y;
  const BA = P[B]! + Z;
  const BB = P[B + 1]! + Z;

  const x1 = x - 1;
  const y1 = y - 1;
  const z1 = z - 1;
  const n000 = dot3(P[AA]!, x, y, z);
  const n100 = dot3(P[BA]!, x1, y, z);
  const n010 = dot3(P[AB]!, x, y1, z);
  const n110 = dot3(P[BB]!, x1, y1, z);
  const n001 = dot3(P[AA + 1]!, x, y, z1);
  const n101 = dot3(P[BA + 1]!, x1, y, z1);
  const n011 = dot3(P[AB + 1]!, x, y1, z1);
  const n111 = dot3(P[BB + 1]!, x1, y1, z1);

  const nx00 = n000 + u * (n100 - n000);
  const nx10 = n010 + u * (n110 - n010);
  const nx01 = n001 + u * (n101 - n001);
  const nx11 = n011 + u * (n111 - n011);
  const nxy0 = nx00 + v * (nx10 - nx00);
  const nxy1 = nx01 + v * (nx11 - nx01);
  return nxy0 + w * (nxy1 - nxy0);
}

/** Fractal sum of `octaves` layers of noise3, each twice the frequency and `gain` the amplitude. */
export function fbm3(x: number, y: number, z: number, octaves: number, gain = 0.5): number {
  let sum = 0;
  let amp = 1;
  let norm = 0;
  for (let o = 0; o < octaves; o++) {
    sum += amp * noise3(x, y, z);
    norm += amp;
    amp *= gain;
    // Offsets between octaves keep the lattice points from lining up.
    x = x * 2.03 + 17.1;
    y = y * 2.03 - 9.7;
    z = z * 1.71 + 3.3;
  }
  return sum / norm;
}
