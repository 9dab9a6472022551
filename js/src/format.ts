/** How parameter values, shapes and counts are written on cards and in the inspector. */

import { InputSpec, isList } from './types';

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) {
    return String(v);
  }
  if (Number.isInteger(v)) {
    return String(v);
  }
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) {
    return v.toExponential(2).replace(/\.?0+e/, 'e');
  }
  return String(Number(v.toPrecision(4)));
}

/** The value of a parameter as shown on a card row. */
export function formatValue(input: InputSpec | undefined, value: unknown): string {
  if (value === null || value === undefined) {
    return '–';
  }
  if (typeof value === 'boolean') {
    return value ? 'true' : 'false';
  }
  if (typeof value === 'number') {
    return formatNumber(value);
  }
  if (Array.isArray(value)) {
    return '[' + value.map(v => formatValue(undefined, v)).join(', ') + ']';
  }
  if (typeof value === 'string') {
    return value === '' ? '""' : value;
  }
  const cards = input?.type === 'Graph' ? (value as { cards?: unknown }).cards : undefined;
  if (Array.isArray(cards)) {
    return `${cards.length} card${cards.length === 1 ? '' : 's'}`; // a nested model's inner graph
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** The text an inspector field starts with for a value (lists as "13, 4"). */
export function valueToText(input: InputSpec, value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (input.type === 'Graph') {
    return formatValue(input, value); // "4 cards": read-only (card.inner in Python)
  }
  if (isList(input) && Array.isArray(value)) {
    return value.map(v => String(v)).join(', ');
  }
  return String(value);
}

/** A shape such as [null, 20, 16] -> "(None, 20, 16)"; several outputs are joined. */
export function formatShape(shape: unknown): string {
  if (shape === null || shape === undefined || shape === '') {
    return '';
  }
  if (typeof shape === 'string') {
    return shape;
  }
  if (Array.isArray(shape)) {
    if (shape.length && shape.every(s => Array.isArray(s))) {
      return shape.map(s => formatShape(s)).join(' ');
    }
    const parts = shape.map(d => (d === null || d === undefined ? 'None' : String(d)));
    return '(' + parts.join(', ') + (parts.length === 1 ? ',' : '') + ')';
  }
  return String(shape);
}

/** 12345 -> "12,345". */
export function formatCount(n: unknown): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return '';
  }
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Shorten text to at most max characters, ending with an ellipsis when cut. */
export function ellipsize(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  return text.slice(0, Math.max(1, max - 1)) + '…';
}

/** A statistic with three significant digits: 0.1234 -> "0.123", 12345 -> "1.23e4", null -> "–". */
export function formatStat(v: unknown): string {
  if (typeof v !== 'number') {
    return '–';
  }
  if (!Number.isFinite(v)) {
    return String(v);
  }
  if (v === 0) {
    return '0';
  }
  const abs = Math.abs(v);
  if (abs < 1e-3 || abs >= 1e5) {
    return v
      .toExponential(2)
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  }
  return String(Number(v.toPrecision(3)));
}

/** The statistics an inspection preview carries (docs/protocol.md, Card.preview). */
export interface PreviewData {
  shape?: number[];
  dtype?: string;
  min?: number | null;
  mean?: number | null;
  max?: number | null;
  std?: number | null;
  zeros?: number | null;
  kind?: string;
  image?: string;
  image_large?: string;
  /** Not made yet: the kernel makes it when a view shows the card (previews.ts). */
  pending?: boolean;
}

/** True when a preview has something to show. */
export function hasPreview(p: PreviewData | null | undefined): p is PreviewData {
  return !!p && typeof p === 'object' && Array.isArray(p.shape);
}

/** The share of zeros as a percentage: 0.25 -> "25%", 0.001 -> "0.1%". */
export function formatShare(z: unknown): string {
  if (typeof z !== 'number' || !Number.isFinite(z)) {
    return '–';
  }
  const pct = z * 100;
  if (pct === 0 || pct === 100) {
    return `${pct}%`;
  }
  return `${pct < 1 || pct > 99 ? Number(pct.toPrecision(2)) : Math.round(pct)}%`;
}

/** The two text lines of the preview strip on a card face. */
export function previewLines(p: PreviewData): { caption: string; stats: string } {
  const caption = [
    formatShape(p.shape || []),
    p.dtype || '',
    typeof p.zeros === 'number' ? `${formatShare(p.zeros)} zeros` : ''
  ]
    .filter(Boolean)
    .join(' · ');
  const stats = p.pending
    ? '…'
    : typeof p.min === 'number'
      ? `min ${formatStat(p.min)}  mean ${formatStat(p.mean)}  max ${formatStat(p.max)}`
      : 'no numeric values';
  return { caption, stats };
}

/**
 * A card's kernel error that only says the card is not finished yet (nothing
 * wired into a required input, a required value not set): a neutral note for
 * the card's footer ("not connected yet", "needs Units"), not a red error.
 * Null for real errors.
 */
export function pendingNote(error: string): string | null {
  if (!error) {
    return null;
  }
  if (/has nothing connected to its input/.test(error)) {
    return 'not connected yet';
  }
  const m = /needs a value for parameter '([^']+)'/.exec(error);
  return m ? `needs ${m[1]}` : null;
}
