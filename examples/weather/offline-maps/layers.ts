/**
 * AMP layer specs: `name[:modifier]*`, e.g. `radar`, `alerts:70`,
 * `temperatures:blend(overlay):60`, `water-depth:scale-hsla(0,.94,0,.40,0,.4,0,1)`.
 *
 * Only what the offline renderer uses is interpreted (a number is the opacity in percent,
 * `blend(mode)` the blend mode); other modifiers parse and are ignored.
 */
import { MapRequestError } from './errors.js';

export type BlendMode = 'normal' | 'overlay' | 'multiply' | 'screen';

export interface LayerSpec {
  /** Layer code, lower case: `radar`, `temperatures`, `flat-dk`. */
  readonly name: string;
  /** 0..1, from a numeric modifier; undefined when none was given. */
  readonly opacity: number | undefined;
  readonly blend: BlendMode;
  /** Every modifier as written, in order. */
  readonly modifiers: readonly string[];
}

const NAME = /^[a-z0-9][a-z0-9_.-]*$/;
const BLEND_MODES: ReadonlySet<string> = new Set(['normal', 'overlay', 'multiply', 'screen']);

/** Splits on `separator` where it is not inside parentheses; throws on unbalanced parentheses. */
export function splitTopLevel(text: string, separator: string, field = 'layers'): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth < 0) throw new MapRequestError('invalid_layers', `Unbalanced ")" in ${field}.`, field);
    } else if (ch === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new MapRequestError('invalid_layers', `Unbalanced "(" in ${field}.`, field);
  parts.push(text.slice(start));
  return parts;
}

export function parseLayer(text: string): LayerSpec {
  const trimmed = text.trim();
  const [rawName = '', ...modifiers] = splitTopLevel(trimmed, ':');
  const name = rawName.trim().toLowerCase();
  if (!NAME.test(name)) {
    throw new MapRequestError(
      'invalid_layers',
      `Layer "${trimmed.slice(0, 60)}" has no valid layer code (letters, digits and dashes).`,
      'layers',
    );
  }
  let opacity: number | undefined;
  let blend: BlendMode = 'normal';
  for (const raw of modifiers) {
    const mod = raw.trim().toLowerCase();
    if (/^\d+(\.\d+)?$/.test(mod)) {
      const value = Number(mod);
      if (value > 100) {
        throw new MapRequestError('invalid_layers', `Layer "${name}" has opacity ${mod}; it must be 0-100.`, 'layers');
      }
      opacity = value / 100;
      continue;
    }
    const blendMatch = /^blend\(([a-z-]+)\)$/.exec(mod);
    if (blendMatch) {
      const mode = blendMatch[1]!;
      // Unknown blend modes fall back to normal, as unknown modifiers are ignored.
      blend = BLEND_MODES.has(mode) ? (mode as BlendMode) : 'normal';
    }
  }
  return { name, opacity, blend, modifiers };
}

/** Parses every layer; a list that is empty or has an empty entry is an error. */
export function parseLayers(layers: readonly string[]): LayerSpec[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new MapRequestError('invalid_layers', 'layers must name at least one layer.', 'layers');
  }
  return layers.map((layer) => {
    if (typeof layer !== 'string' || layer.trim() === '') {
      throw new MapRequestError('invalid_layers', 'layers must not contain an empty layer.', 'layers');
    }
    return parseLayer(layer);
  });
}

/** The layer list in a URL path segment: commas outside parentheses separate layers. */
export function splitLayerList(segment: string): string[] {
  return splitTopLevel(segment, ',');
}

export type BaseStyle = 'flat-dk' | 'flat' | 'terrain' | 'terrain-dk';

export interface LayerPlan {
  readonly base: BaseStyle;
  readonly temperatures: LayerSpec | undefined;
  readonly radar: LayerSpec | undefined;
  readonly clouds: LayerSpec | undefined;
  /** Borders and city labels drawn on top (any `admin*` layer). */
  readonly admin: LayerSpec | undefined;
  readonly labels: boolean;
  /** White labels with a dark halo (`-dk` admin layers, or any admin layer on a dark base). */
  readonly lightLabels: boolean;
}

/** Decides what to draw from the layer list; unknown layers are ignored. */
export function planLayers(specs: readonly LayerSpec[]): LayerPlan {
  let base: BaseStyle | undefined;
  let temperatures: LayerSpec | undefined;
  let radar: LayerSpec | undefined;
  let clouds: LayerSpec | undefined;
  let admin: LayerSpec | undefined;
  for (const spec of specs) {
    const n = spec.name;
    if (n.startsWith('terrain')) base = n.includes('dk') ? 'terrain-dk' : 'terrain';
    else if (n.startsWith('flat')) base = n.includes('dk') ? 'flat-dk' : 'flat';
    else if (n === 'blue-marble' || n.startsWith('blue-marble')) base = 'terrain-dk';
    else if (n.startsWith('temperatures') || n === 'ftemps' || n === 'temps') temperatures = spec;
    else if (n === 'radar' || n.startsWith('radar-') || n === 'frad' || n.startsWith('precip')) radar = spec;
    else if (n.startsWith('satellite') || n.startsWith('clouds') || n === 'fsatellite') clouds = spec;
    else if (n.startsWith('admin') || n === 'states' || n === 'countries') admin = spec;
  }
  const resolvedBase = base ?? 'flat-dk';
  return {
    base: resolvedBase,
    temperatures,
    radar,
    clouds,
    admin,
    labels: admin !== undefined && admin.name.startsWith('admin'),
    lightLabels: admin === undefined || admin.name.includes('dk') || resolvedBase !== 'flat',
  };
}
