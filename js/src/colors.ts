/**
 * Colours of port types: port dots, wires and palette accents all use these,
 * so a Tensor wire, a Layer-instance wire and an Initializer wire look different.
 */

import { CONSTRAINT, INITIALIZER, LAYER, REGULARIZER, TENSOR } from './types';

const KNOWN: Record<string, string> = {
  [TENSOR]: '#2f6fd0',
  [LAYER]: '#8a4fc4',
  [INITIALIZER]: '#1f9a62',
  [REGULARIZER]: '#d9821c',
  [CONSTRAINT]: '#c73a6a',
  Integer: '#4f5fb8',
  Float: '#0f8a86',
  Boolean: '#7a5a43',
  String: '#6b7280'
};

/** A stable colour for any port type; unknown types get a hue derived from their name. */
export function typeColor(type: string): string {
  const known = KNOWN[type];
  if (known) {
    return known;
  }
  let h = 0;
  for (let i = 0; i < type.length; i++) {
    h = (h * 31 + type.charCodeAt(i)) >>> 0;
  }
  return hslToHex(h % 360, 0.55, 0.45);
}

/** Every type that has a fixed colour (used to build cytoscape selectors). */
export function knownTypes(): string[] {
  return Object.keys(KNOWN);
}

/** "NeuralNetworkInitializer" -> "Initializer". */
export function typeShortName(type: string): string {
  return type.startsWith('NeuralNetwork') ? type.slice('NeuralNetwork'.length) : type;
}

/** Colour of a card's header band, by its catalogue category. */
export function categoryColor(category: string[] | undefined): string {
  const top = category && category.length ? category[0] : '';
  switch (top) {
    case 'Layers':
      return '#2f6fd0';
    case 'Layer wrappers':
      return '#8a4fc4';
    case 'Initializers':
      return '#1f9a62';
    case 'Regularizers':
      return '#d9821c';
    case 'Constraints':
      return '#c73a6a';
    default:
      return '#37474f';
  }
}

export function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/** Mix a colour with white: t = 0 gives the colour, t = 1 white. */
export function tint(hex: string, t: number): string {
  const n = parseInt(hex.slice(1), 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(c => Math.round(c + (255 - c) * t));
  return '#' + ch.map(c => c.toString(16).padStart(2, '0')).join('');
}

/** Mix colour `a` with colour `b`: t = 0 gives a, t = 1 gives b. */
export function mix(a: string, b: string, t: number): string {
  const na = parseInt(a.slice(1), 16);
  const nb = parseInt(b.slice(1), 16);
  const ch = [16, 8, 0].map(s => Math.round(((na >> s) & 255) * (1 - t) + ((nb >> s) & 255) * t));
  return '#' + ch.map(c => c.toString(16).padStart(2, '0')).join('');
}

/**
 * The colour marking cards that share one layer object: the same for every
 * card of the group (from their names, in any order), different between groups.
 */
export function sharedColor(names: string[]): string {
  const key = names.slice().sort().join('\u0000');
  let hash = 2166136261;
  for (let i = 0; i < key.length; i++) {
    hash = Math.imul(hash ^ key.charCodeAt(i), 16777619) >>> 0;
  }
  return hslToHex(hash % 360, 0.7, 0.45);
}
