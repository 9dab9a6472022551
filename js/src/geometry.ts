/**
 * Card geometry: where every row, port dot and text of a card goes, computed
 * from its catalogue spec alone (no DOM), so the card face, wire ends and
 * port hit-testing all agree. Coordinates are in model pixels from the card's
 * top-left corner unless a function says it is relative to the centre.
 */

import { CardSpec, CONSTRAINT, INITIALIZER, InputSpec, Point, Rect, REGULARIZER, TENSOR, isParam } from './types';
import { ellipsize, formatValue } from './format';
import geometryData from '../../nncards_widget/catalog/geometry.json';

/** Card layout constants in model pixels (font sizes in px, text limits in characters). */
export interface CardConstants {
  minWidth: number;
  maxWidth: number;
  headerHeight: number;
  rowHeight: number;
  padX: number;
  dotRadius: number;
  sectionGap: number;
  footerHeight: number;
  bottomPad: number;
  fontSize: number;
  titleSize: number;
  /** Font size of the preview strip's text. */
  previewFontSize: number;
  valueMaxChars: number;
  labelMaxChars: number;
  hitRadius: number;
  /** Distance of port dots from the card's left/right edge. */
  portInset: number;
  /** Where row labels start (after the input port dots). */
  labelX: number;
  /**
   * The inspection preview strip below the footer: a caption line (shape, dtype,
   * zeros), the small picture, and a line of min / mean / max.
   */
  previewHeight: number;
  previewImageTop: number;
  previewImageHeight: number;
}

const CARD_KEYS: (keyof CardConstants)[] = [
  'minWidth',
  'maxWidth',
  'headerHeight',
  'rowHeight',
  'padX',
  'dotRadius',
  'sectionGap',
  'footerHeight',
  'bottomPad',
  'fontSize',
  'titleSize',
  'previewFontSize',
  'valueMaxChars',
  'labelMaxChars',
  'hitRadius',
  'portInset',
  'labelX',
  'previewHeight',
  'previewImageTop',
  'previewImageHeight'
];

/** Check the geometry data: every constant present and a number. */
export function cardConstants(data: Record<string, unknown>): CardConstants {
  const out: Partial<CardConstants> = {};
  for (const key of CARD_KEYS) {
    const v = data[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`geometry.json: '${key}' must be a number; received ${JSON.stringify(v)}`);
    }
    out[key] = v;
  }
  return out as CardConstants;
}

/**
 * The card geometry, read from nncards_widget/catalog/geometry.json: the
 * kernel reads the same file to place cards without overlap.
 */
export const CARD: CardConstants = cardConstants(geometryData);

/**
 * Advance widths of a Helvetica-like sans-serif font, in thousandths of an em,
 * for printable ASCII (32..126), and for any other character (geometry.json:
 * the kernel sizes cards with the same table). Used to size cards without measuring text.
 */
const WIDTHS = charWidths(geometryData);

function charWidths(data: Record<string, unknown>): { ascii: number[]; other: number } {
  const ascii = data.charWidths;
  const other = data.otherCharWidth;
  if (!Array.isArray(ascii) || ascii.length !== 95 || !ascii.every(v => typeof v === 'number')) {
    throw new Error("geometry.json: 'charWidths' must be 95 numbers (characters 32..126)");
  }
  if (typeof other !== 'number') {
    throw new Error("geometry.json: 'otherCharWidth' must be a number");
  }
  return { ascii: ascii as number[], other };
}

/**
 * Estimated width in pixels of text in the card font. Slightly generous
 * (fallback fonts such as DejaVu Sans run wider than Helvetica).
 */
export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    units += c >= 32 && c <= 126 ? WIDTHS.ascii[c - 32] : WIDTHS.other;
  }
  return (units / 1000) * fontSize * (bold ? 1.1 : 1) * 1.1;
}

export type RowKind = 'output' | 'port' | 'param' | 'more';

/** Name of the row that shows or hides a card's helper ports. */
export const MORE_ROW = '__more__';

const HELPER_TYPES = new Set([INITIALIZER, REGULARIZER, CONSTRAINT]);

/** Initializer, regularizer and constraint ports: hidden on the card unless wired or expanded. */
export function isHelperPort(inp: InputSpec): boolean {
  return !isParam(inp) && HELPER_TYPES.has(inp.type);
}

/** A parameter's value is its default (compared as JSON, as the kernel sends both). */
export function isDefaultValue(inp: InputSpec, value: unknown): boolean {
  return JSON.stringify(value ?? null) === JSON.stringify(inp.default ?? null);
}

/**
 * The compact face's rule (nncards_widget/catalog InputSpec.shown, the kernel's
 * card heights and pictures use the same): a parameter row shows when it is
 * required, primary in the catalogue, or set away from its default; a port row
 * unless it is a helper port or an optional one with no wire. Everything else
 * folds into the card's "+" row.
 */
export function paramShown(inp: InputSpec, value: unknown): boolean {
  return shownParam(inp, isDefaultValue(inp, value));
}

function shownParam(inp: InputSpec, atDefault: boolean): boolean {
  return !!inp.required || !!inp.primary || !atDefault;
}

export function portShown(inp: InputSpec, connected?: Set<string>): boolean {
  return !(isHelperPort(inp) || inp.optional) || !!connected?.has('in:' + inp.name);
}

/** The "+" row's text: what is folded ("+ 7 ports · 3 settings"), or how to fold again. */
export function moreLabel(hiddenPorts: number, hiddenParams: number): string {
  if (!hiddenPorts && !hiddenParams) {
    return '− fewer';
  }
  const parts: string[] = [];
  if (hiddenPorts) {
    parts.push(`${hiddenPorts} port${hiddenPorts > 1 ? 's' : ''}`);
  }
  if (hiddenParams) {
    parts.push(`${hiddenParams} setting${hiddenParams > 1 ? 's' : ''}`);
  }
  return '+ ' + parts.join(' · ');
}

export interface CardRow {
  kind: RowKind;
  name: string;
  label: string;
  type: string;
  /** Centre line of the row. */
  y: number;
  /** Value text for parameter rows (already shortened). */
  value?: string;
  /** A parameter row whose value is the default (drawn quietly). */
  isDefault?: boolean;
  input?: InputSpec;
}

export interface CardGeometry {
  width: number;
  height: number;
  headerHeight: number;
  rows: CardRow[];
  /** Port dot centres from the top-left corner, by port Python name. */
  inputPorts: Record<string, Point>;
  outputPorts: Record<string, Point>;
  /** Y of the line between outputs and inputs (null when there are no outputs). */
  dividerY: number | null;
  /** Y of the top of the footer, or null when no footer is drawn. */
  footerY: number | null;
  /** Y of the top of the preview strip, or null when there is no preview. */
  previewY: number | null;
}

export interface CardContent {
  /** Current parameter values by Python name. */
  values?: Record<string, unknown>;
  title?: string;
  subtitle?: string;
  /** Footer text (output shape, parameter count) or empty for none. */
  footer?: string;
  /** Lines of text of the inspection preview strip (caption, stats); none: no strip. */
  preview?: string[] | null;
  /** Ports with a wire ("in:<port>"): helper ports with a wire are always shown. */
  connected?: Set<string>;
  /** Show every row, folded ones too (the card's "+" row was clicked). */
  expanded?: boolean;
}

/** Lay out a card: rows, ports, width and height. */
export function layoutCard(spec: CardSpec, content: CardContent = {}): CardGeometry {
  const values = content.values || {};
  const fs = CARD.fontSize;
  const rows: CardRow[] = [];
  let y = CARD.headerHeight + CARD.sectionGap;
  let width = CARD.minWidth;
  const title = content.title ?? spec.title;
  width = Math.max(width, textWidth(title, CARD.titleSize, true) + 2 * CARD.padX + 20);
  if (content.subtitle) {
    width = Math.max(width, textWidth(content.subtitle, fs) + 2 * CARD.padX + 20);
  }

  for (const out of spec.outputs) {
    const label = ellipsize(out.label, CARD.labelMaxChars);
    rows.push({ kind: 'output', name: out.name, label, type: out.type, y: y + CARD.rowHeight / 2 });
    width = Math.max(width, textWidth(label, fs) + CARD.labelX + 2 * CARD.padX);
    y += CARD.rowHeight;
  }
  let dividerY: number | null = null;
  if (spec.outputs.length && spec.inputs.length) {
    dividerY = y + CARD.sectionGap / 2;
    y += CARD.sectionGap;
  }
  let hiddenPorts = 0;
  let hiddenParams = 0;
  let foldable = 0;
  for (const inp of spec.inputs) {
    const param = isParam(inp);
    const v = param ? (inp.name in values ? values[inp.name] : inp.default) : undefined;
    const atDefault = param && isDefaultValue(inp, v);
    if (param ? !shownParam(inp, atDefault) : !portShown(inp, content.connected)) {
      foldable++;
      if (!content.expanded) {
        if (param) {
          hiddenParams++;
        } else {
          hiddenPorts++;
        }
        continue;
      }
    }
    const label = ellipsize(inp.label, CARD.labelMaxChars);
    const row: CardRow = {
      kind: param ? 'param' : 'port',
      name: inp.name,
      label,
      type: inp.type,
      y: y + CARD.rowHeight / 2,
      input: inp
    };
    let need = textWidth(label, fs) + CARD.labelX + CARD.padX;
    if (param) {
      row.value = ellipsize(formatValue(inp, v), CARD.valueMaxChars);
      row.isDefault = inp.name !== 'name' && atDefault;
      need += 22 + textWidth(row.value, fs);
    }
    width = Math.max(width, need);
    rows.push(row);
    y += CARD.rowHeight;
  }
  if (foldable) {
    const label = moreLabel(hiddenPorts, hiddenParams);
    rows.push({ kind: 'more', name: MORE_ROW, label, type: '', y: y + CARD.rowHeight / 2 });
    y += CARD.rowHeight;
  }
  let footerY: number | null = null;
  if (content.footer) {
    width = Math.max(width, textWidth(content.footer, fs) + 2 * CARD.padX);
    footerY = y + 4;
    y += 4 + CARD.footerHeight;
  } else {
    y += CARD.bottomPad;
  }
  let previewY: number | null = null;
  if (content.preview) {
    content.preview.forEach((line, i) => {
      // the first line leaves room for the "stale" badge
      width = Math.max(width, textWidth(line, PREVIEW_FONT) + 2 * CARD.padX + (i === 0 ? 50 : 0));
    });
    previewY = y;
    y += CARD.previewHeight;
  }
  width = Math.ceil(Math.min(CARD.maxWidth, width) / 2) * 2;
  const height = Math.ceil(y / 2) * 2;
  return cardGeometry(width, height, rows, { dividerY, footerY, previewY });
}

/**
 * A face's geometry from its size and rows: output dots on the right edge and
 * input port dots on the left, at their rows' heights. Cards and expanded group
 * frames (grouplayout.ts) both come from here, so their dots, wire ends and hit
 * testing follow the same rule.
 */
export function cardGeometry(
  width: number,
  height: number,
  rows: CardRow[],
  lines: { dividerY?: number | null; footerY?: number | null; previewY?: number | null } = {}
): CardGeometry {
  const inputPorts: Record<string, Point> = {};
  const outputPorts: Record<string, Point> = {};
  for (const r of rows) {
    if (r.kind === 'output') {
      outputPorts[r.name] = { x: width - CARD.portInset, y: r.y };
    } else if (r.kind === 'port') {
      inputPorts[r.name] = { x: CARD.portInset, y: r.y };
    }
  }
  return {
    width,
    height,
    headerHeight: CARD.headerHeight,
    rows,
    inputPorts,
    outputPorts,
    dividerY: lines.dividerY ?? null,
    footerY: lines.footerY ?? null,
    previewY: lines.previewY ?? null
  };
}

/** Font size of the preview strip's text. */
export const PREVIEW_FONT = CARD.previewFontSize;

/**
 * True for cards that can get an inspection preview: those with a Tensor port
 * (layers, Input and Output cards), not initializers, regularizers or constraints.
 */
export function hasTensorPort(spec: CardSpec): boolean {
  return spec.outputs.some(o => o.type === TENSOR) || spec.inputs.some(i => i.type === TENSOR);
}

/**
 * The height to reserve for a card when placing it (compact, at its default
 * values: see paramShown): with a shape footer and,
 * for cards with a Tensor output, a preview strip (so inspecting later does not
 * make cards overlap). nncards_widget/editor.py's card_height is the same estimate.
 */
export function placementHeight(spec: CardSpec): number {
  return layoutCard(spec, { footer: '(None, 1)', preview: hasTensorPort(spec) ? [''] : null }).height;
}

/**
 * A card's position (in the kernel, saved files and pictures) is its top-left
 * corner, so a card that grows or shrinks (its "+" row unfolded, a value that
 * shows a row, a preview strip) keeps its header and input dots where they are.
 * cytoscape places a node by its centre: these two convert.
 */
export function cardCentre(corner: Point, size: { width: number; height: number }): Point {
  return { x: corner.x + size.width / 2, y: corner.y + size.height / 2 };
}

/** The top-left corner of a card drawn centred at `centre` (see cardCentre). */
export function cardCorner(centre: Point, size: { width: number; height: number }): Point {
  return { x: centre.x - size.width / 2, y: centre.y - size.height / 2 };
}

/** A port's offset from the card's centre, for cytoscape's source/target-endpoint. */
export function portOffset(geom: CardGeometry, side: 'input' | 'output', name: string): Point | null {
  const p = side === 'input' ? geom.inputPorts[name] : geom.outputPorts[name];
  if (!p) {
    return null;
  }
  return { x: p.x - geom.width / 2, y: p.y - geom.height / 2 };
}

/** "12px -40px": the endpoint style string for a port. Centre when unknown. */
export function endpointStyle(geom: CardGeometry | null, side: 'input' | 'output', name: string): string {
  const off = geom ? portOffset(geom, side, name) : null;
  if (!off) {
    return '0px 0px';
  }
  return `${round2(off.x)}px ${round2(off.y)}px`;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

export interface PortHit {
  side: 'input' | 'output';
  name: string;
  type: string;
}

/**
 * Which port is at a point given relative to the card's top-left corner, if any.
 * An output row counts anywhere near its right edge; an input row near its left edge.
 */
export function hitPort(geom: CardGeometry, p: Point, radius = CARD.hitRadius): PortHit | null {
  let best: PortHit | null = null;
  let bestD = Infinity;
  for (const r of geom.rows) {
    if (r.kind !== 'output' && r.kind !== 'port') {
      continue;
    }
    const c = r.kind === 'output' ? geom.outputPorts[r.name] : geom.inputPorts[r.name];
    const dx = p.x - c.x;
    const dy = p.y - c.y;
    const d = Math.sqrt(dx * dx + dy * dy);
    if (d <= radius && d < bestD) {
      bestD = d;
      best = { side: r.kind === 'output' ? 'output' : 'input', name: r.name, type: r.type };
    }
  }
  return best;
}

/** The input row (port or parameter) at a point from the top-left, for dropping wires. */
export function rowAt(geom: CardGeometry, p: Point): CardRow | null {
  if (p.x < -CARD.hitRadius || p.x > geom.width + CARD.hitRadius) {
    return null;
  }
  for (const r of geom.rows) {
    if (Math.abs(p.y - r.y) <= CARD.rowHeight / 2) {
      return r;
    }
  }
  return null;
}

export function rectsOverlap(a: Rect, b: Rect, gap = 0): boolean {
  return Math.abs(a.x - b.x) * 2 < a.w + b.w + 2 * gap && Math.abs(a.y - b.y) * 2 < a.h + b.h + 2 * gap;
}

/**
 * The free spot nearest to `preferred` (a centre) for a card of size w x h that
 * keeps at least `gap` pixels from every rect in `taken`. Tries the preferred
 * spot, then rings of candidates around it, preferring spots to the right and below.
 */
export function findFreeSpot(taken: Rect[], w: number, h: number, preferred: Point, gap = 24, step = 24): Point {
  const fits = (x: number, y: number): boolean => {
    const r = { x, y, w, h };
    for (const t of taken) {
      if (rectsOverlap(r, t, gap)) {
        return false;
      }
    }
    return true;
  };
  if (fits(preferred.x, preferred.y)) {
    return { x: preferred.x, y: preferred.y };
  }
  for (let ring = 1; ring < 400; ring++) {
    const cands: Point[] = [];
    for (let i = -ring; i <= ring; i++) {
      cands.push({ x: preferred.x + ring * step, y: preferred.y + i * step });
      cands.push({ x: preferred.x - ring * step, y: preferred.y + i * step });
      if (i !== -ring && i !== ring) {
        cands.push({ x: preferred.x + i * step, y: preferred.y + ring * step });
        cands.push({ x: preferred.x + i * step, y: preferred.y - ring * step });
      }
    }
    // nearest first; ties broken towards the right, then downwards
    cands.sort((a, b) => {
      const da = Math.hypot(a.x - preferred.x, (a.y - preferred.y) * 1.3);
      const db = Math.hypot(b.x - preferred.x, (b.y - preferred.y) * 1.3);
      if (da !== db) {
        return da - db;
      }
      if (a.x !== b.x) {
        return b.x - a.x;
      }
      return b.y - a.y;
    });
    for (const c of cands) {
      if (fits(c.x, c.y)) {
        return c;
      }
    }
  }
  // Fall back to below everything.
  const bottom = taken.reduce((m, t) => Math.max(m, t.y + t.h / 2), preferred.y);
  return { x: preferred.x, y: bottom + gap + h / 2 };
}
