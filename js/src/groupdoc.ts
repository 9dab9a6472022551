/**
 * The inner graph of a nested-model card (card id "model:...", its inner
 * saved-graph document in its `graph` parameter): the document's types, how it
 * is read from the card's model, the toggle's text, and the read-only faces of
 * its inner cards (drawn by the card face code, with the shapes the kernel
 * computes for them, `inner_shapes`).
 */

import { cardSvg } from './cardsvg';
import { formatCount, formatShape } from './format';
import { CardGeometry, layoutCard } from './geometry';
import { CardSpec, isParam } from './types';

/** Card ids of nested-model cards start with this (nncards_widget/custom.py). */
export const NESTED_PREFIX = 'model:';

export function isNestedSpec(spec: CardSpec | null | undefined): boolean {
  return !!spec && spec.id.startsWith(NESTED_PREFIX);
}

/** A card of the inner graph document (the saved-graph form, serialization.py). */
export interface InnerCardDoc {
  uid: string;
  card_id: string;
  name: string;
  params?: Record<string, unknown>;
}

export interface InnerWireDoc {
  id: string;
  source: string;
  source_port: string;
  target: string;
  target_port: string;
}

export interface InnerDoc {
  cards: InnerCardDoc[];
  wires: InnerWireDoc[];
}

/** What the kernel computed for an inner card (custom.inner_shapes). */
export interface InnerShape {
  output_shape?: string | null;
  param_count?: number | null;
  error?: string;
  ports?: Record<string, string>;
}

const IO = new Set(['input', 'output']);

/** The inner cards that become layers (Input and Output cards are the frame's ports). */
export function layerCards(doc: InnerDoc): InnerCardDoc[] {
  return doc.cards.filter(c => !IO.has(c.card_id));
}

/** The toggle's text: "▸ 3 layers" (collapsed) or "▾ 3 layers" (expanded). */
export function toggleLabel(doc: InnerDoc | null, expanded: boolean): string {
  const n = doc ? layerCards(doc).length : 0;
  return `${expanded ? '▾' : '▸'} ${n} layer${n === 1 ? '' : 's'}`;
}

/** The inner graph held by a nested-model card's model, or null. */
export function innerDoc(model: any): InnerDoc | null {
  const g = model.get('graph');
  return g && Array.isArray(g.cards) && Array.isArray(g.wires) ? (g as InnerDoc) : null;
}

/** The spec of an inner card whose card id the catalogue does not know. */
export function unknownSpec(cardId: string): CardSpec {
  return { id: cardId, title: cardId || 'Card', category: [], inputs: [], outputs: [] };
}

/** Values of an inner card's parameter rows (its saved parameters, the defaults otherwise). */
function innerValues(spec: CardSpec, c: InnerCardDoc): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const inp of spec.inputs) {
    if (isParam(inp)) {
      values[inp.name] =
        inp.name === 'name' ? c.name : c.params && inp.name in c.params ? c.params[inp.name] : inp.default;
    }
  }
  return values;
}

export function innerFooter(shape: InnerShape | undefined): { shape: string; params: string; error: string } {
  const s = shape || {};
  const error = s.error || '';
  const pc = s.param_count;
  return {
    shape: formatShape(s.output_shape),
    params: typeof pc === 'number' ? `${formatCount(pc)} param${pc === 1 ? '' : 's'}` : '',
    error
  };
}

/** An inner card's face: its geometry and SVG, drawn like a card on the canvas. */
export function innerFace(
  spec: CardSpec,
  c: InnerCardDoc,
  shape: InnerShape | undefined,
  connected: Set<string>
): { geom: CardGeometry; svg: string } {
  const f = innerFooter(shape);
  const footer = f.error ? 'error' : [f.shape, f.params].filter(Boolean).join('   ');
  const geom = layoutCard(spec, { values: innerValues(spec, c), subtitle: c.name, footer, connected });
  const svg = cardSvg(spec, geom, {
    title: spec.title,
    subtitle: c.name,
    shape: f.error || f.shape,
    params: f.error ? '' : f.params,
    error: f.error || undefined,
    connected
  });
  return { geom, svg };
}
