/**
 * Nested models as collapsible groups. A nested-model card (card id
 * "model:...", its inner graph in its `graph` parameter) shows a toggle in its
 * header ("▸ 3 layers"); expanded (the card's synced `expanded` trait, so the
 * kernel keeps the state) its node becomes a frame around its inner cards and
 * wires, laid out with the Layout button's layered layout. The frame keeps the
 * card's ports on its edges: outer wires stay attached, inner wires leave the
 * frame's input dots and enter its output dots. Inner cards are read-only
 * faces drawn by the card face code, with the shapes the kernel computes for
 * them (`inner_shapes`).
 *
 * Nothing is hidden under a frame: the cards right of an expanded group move
 * right and the cards below it move down, in the view only (`CardLayer.shift`),
 * just far enough to clear it; the kernel's positions do not change, and
 * collapsing puts everything back.
 */

import type cytoscape from 'cytoscape';

import { CanvasAdapter } from './canvas';
import { CardEntry, CardLayer } from './cardlayer';
import { cardSvg, darkFace, escapeXml, faceTheme, MONO_FAMILY } from './cardsvg';
import { categoryColor, tint, typeColor } from './colors';
import { formatCount, formatShape } from './format';
import { CARD, CardGeometry, CardRow, endpointStyle, layoutCard, textWidth } from './geometry';
import { layeredLayout, packColumn } from './layout';
import { farLook, LOD_CLASSES, lodClasses, nodeBand, wireBand } from './lod';
import { CardSpec, InputSpec, isParam, Point, TENSOR } from './types';
import { wireCurve } from './wiring';

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

/** Node data of an inner card's far-out drawing (name, kind, colours), as the card layer's. */
function farData(c: { spec: CardSpec; name: string; geom: CardGeometry }): Record<string, string | number> {
  const look = farLook(c.name, c.spec.title, c.spec.category, c.geom.width);
  return { ...look, shared: look.kind };
}

/**
 * Mark a frame open or closed and draw its outer wires at the band that
 * follows (lod.wireBand): curves to its port dots while it is open, even far out.
 */
function markOpen(node: cytoscape.NodeSingular, open: boolean): void {
  node.data('openGroup', open);
  const band = nodeBand(node);
  node.connectedEdges('.wire').forEach(w => {
    w.removeClass(LOD_CLASSES.join(' '));
    const b = wireBand(w, Math.max(band, 0));
    if (b) {
      w.addClass(lodClasses(b));
    }
  });
}

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

// ------------------------------------------------------------------ geometry

/** Space around the inner cards inside the frame. */
export const FRAME = {
  pad: 24,
  /** The band under the header holding the "Layer instance" output. */
  band: CARD.rowHeight + 8,
  /** Room between a port's label and the inner cards. */
  labelGap: 34,
  labelSize: 10.5,
  /** Space kept between an expanded frame and the cards moved aside for it. */
  gap: 40
};

/** Where the toggle is drawn in a card's header (local coordinates). */
export interface ToggleBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function toggleBox(width: number, label: string, error: boolean): ToggleBox {
  const w = Math.ceil(textWidth(label, 10, true)) + 14;
  return { x: width - w - (error ? 30 : 8), y: 11, w, h: 18 };
}

function toggleSvg(box: ToggleBox, label: string): string {
  return (
    `<g data-toggle="group"><rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="9" ` +
    `fill="#eef1f6" stroke="#5b6cb0"/>` +
    `<text x="${box.x + box.w / 2}" y="${box.y + 12.5}" text-anchor="middle" font-size="10" font-weight="700" ` +
    `fill="#1f4f99">${escapeXml(label)}</text></g>`
  );
}

/** An inner card placed in its frame: centre relative to the frame's top-left. */
export interface PlacedCard {
  uid: string;
  spec: CardSpec;
  name: string;
  geom: CardGeometry;
  centre: Point;
}

/** A wire inside the frame; a null end is the frame itself (one of its ports). */
export interface PlacedWire {
  id: string;
  source: string | null;
  sourcePort: string;
  target: string | null;
  targetPort: string;
  type: string;
  /** The inner card the tensor comes from (an inner Input card for a wire from the frame). */
  from: string;
  fromPort: string;
}

/** An expanded group, laid out: the frame's geometry, its inner cards and wires. */
export interface GroupLayout {
  frame: CardGeometry;
  cards: PlacedCard[];
  wires: PlacedWire[];
  /** Local box of the toggle in the frame's header. */
  toggle: ToggleBox;
}

function unknownSpec(cardId: string): CardSpec {
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

function portsOf(spec: CardSpec): { inputs: InputSpec[]; outputs: CardSpec['outputs'] } {
  return { inputs: spec.inputs.filter(i => !isParam(i)), outputs: spec.outputs };
}

/**
 * Lay a group out: its inner cards (layered layout) inside a frame whose input
 * ports are on the left edge and output ports on the right, each at the height
 * of the inner port it leads to, so a pass-through wire is straight.
 */
export async function layoutGroup(
  spec: CardSpec,
  doc: InnerDoc,
  specs: Map<string, CardSpec>,
  shapes: Record<string, InnerShape>,
  header: { title: string; name: string }
): Promise<{ layout: GroupLayout; faces: Map<string, string> }> {
  const byUid = new Map(doc.cards.map(c => [c.uid, c]));
  const inputs = doc.cards.filter(c => c.card_id === 'input');
  const outputs = doc.cards.filter(c => c.card_id === 'output');
  const inner = layerCards(doc);
  const innerSet = new Set(inner.map(c => c.uid));
  const { inputs: inPorts, outputs: outPorts } = portsOf(spec);
  const tensorIns = inPorts.filter(p => p.type === TENSOR);
  const tensorOuts = outPorts.filter(p => p.type === TENSOR);
  // inner Input k is the card's k-th Tensor input, inner Output k its k-th Tensor output
  const inPortOf = new Map(inputs.map((c, k) => [c.uid, tensorIns[k]?.name]));
  const outPortOf = new Map(outputs.map((c, k) => [c.uid, tensorOuts[k]?.name]));

  const wires: PlacedWire[] = [];
  const connected = new Map<string, Set<string>>();
  const mark = (uid: string, key: string): void => {
    const s = connected.get(uid) || new Set<string>();
    s.add(key);
    connected.set(uid, s);
  };
  for (const w of doc.wires) {
    const src = byUid.get(w.source);
    const tgt = byUid.get(w.target);
    if (!src || !tgt) {
      continue;
    }
    const srcSpec = specs.get(src.card_id);
    const type = srcSpec?.outputs.find(o => o.name === w.source_port)?.type || TENSOR;
    const source = innerSet.has(src.uid) ? src.uid : null;
    const target = innerSet.has(tgt.uid) ? tgt.uid : null;
    const sourcePort = source ? w.source_port : inPortOf.get(src.uid);
    const targetPort = target ? w.target_port : outPortOf.get(tgt.uid);
    if ((!source && !target) || !sourcePort || !targetPort) {
      continue; // an Input wired straight to an Output: nothing to draw inside
    }
    if (source) {
      mark(source, 'out:' + sourcePort);
    }
    if (target) {
      mark(target, 'in:' + targetPort);
    }
    wires.push({ id: w.id, source, sourcePort, target, targetPort, type, from: src.uid, fromPort: w.source_port });
  }

  const faces = new Map<string, string>();
  const placed: PlacedCard[] = inner.map(c => {
    const cs = specs.get(c.card_id) || unknownSpec(c.card_id);
    const { geom, svg } = innerFace(cs, c, shapes[c.uid], connected.get(c.uid) || new Set());
    faces.set(c.uid, svg);
    return { uid: c.uid, spec: cs, name: c.name, geom, centre: { x: 0, y: 0 } };
  });
  const { positions } = await layeredLayout(
    placed.map(c => ({ id: c.uid, width: c.geom.width, height: c.geom.height })),
    wires.filter(w => w.source && w.target).map(w => ({ source: w.source!, target: w.target! }))
  );
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const c of placed) {
    const p = positions.get(c.uid)!;
    minX = Math.min(minX, p.x - c.geom.width / 2);
    maxX = Math.max(maxX, p.x + c.geom.width / 2);
    minY = Math.min(minY, p.y - c.geom.height / 2);
    maxY = Math.max(maxY, p.y + c.geom.height / 2);
  }
  if (!placed.length) {
    minX = minY = 0;
    maxX = 160;
    maxY = 40;
  }
  const labelW = (ports: { label: string }[]): number =>
    Math.max(0, ...ports.map(p => textWidth(p.label, FRAME.labelSize)));
  const left = Math.max(CARD.labelX + labelW(tensorIns), 40) + FRAME.labelGap;
  const right = Math.max(CARD.labelX + labelW(outPorts), 40) + FRAME.labelGap;
  const top = CARD.headerHeight + FRAME.band + FRAME.pad;
  for (const c of placed) {
    const p = positions.get(c.uid)!;
    c.centre = { x: left + p.x - minX, y: top + p.y - minY };
  }
  const contentBottom = top + (maxY - minY);
  const width = Math.ceil(Math.max(left + (maxX - minX) + right, textWidth(header.title, CARD.titleSize, true) + 160));

  // ports: at the height of the inner port each one leads to, kept a row apart
  const innerPortY = (uid: string, side: 'input' | 'output', port: string): number | null => {
    const c = placed.find(pc => pc.uid === uid);
    const local = c && (side === 'input' ? c.geom.inputPorts[port] : c.geom.outputPorts[port]);
    return c && local ? c.centre.y - c.geom.height / 2 + local.y : null;
  };
  const portY = (ports: { name: string }[], side: 'input' | 'output'): number[] => {
    const wanted = ports.map((p, k) => {
      const ys = wires
        .filter(w => (side === 'input' ? !w.source && w.sourcePort === p.name : !w.target && w.targetPort === p.name))
        .map(w =>
          side === 'input'
            ? innerPortY(w.target!, 'input', w.targetPort)
            : innerPortY(w.source!, 'output', w.sourcePort)
        )
        .filter((y): y is number => y !== null);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : top + CARD.rowHeight * (k + 0.5);
    });
    // top to bottom in the order of the inner ports they lead to (wires do not cross), a row apart
    const order = ports.map((_, k) => k).sort((i, j) => wanted[i] - wanted[j] || i - j);
    const packed = packColumn(
      order.map(() => CARD.rowHeight),
      order.map(k => wanted[k]),
      0
    );
    const ys: number[] = new Array(ports.length);
    order.forEach((k, i) => (ys[k] = packed[i]));
    const lift = Math.max(0, top - CARD.rowHeight / 2 - Math.min(...ys, Infinity));
    return ys.map(y => y + lift);
  };
  const rows: CardRow[] = [];
  const inputPorts: Record<string, Point> = {};
  const outputPorts: Record<string, Point> = {};
  const bandY = CARD.headerHeight + FRAME.band / 2 + 2;
  const otherOuts = outPorts.filter(o => o.type !== TENSOR);
  otherOuts.forEach((o, k) => {
    rows.push({ kind: 'output', name: o.name, label: o.label, type: o.type, y: bandY + k * CARD.rowHeight });
  });
  const outYs = portY(tensorOuts, 'output');
  tensorOuts.forEach((o, k) => rows.push({ kind: 'output', name: o.name, label: o.label, type: o.type, y: outYs[k] }));
  const inYs = portY(tensorIns, 'input');
  tensorIns.forEach((p, k) =>
    rows.push({ kind: 'port', name: p.name, label: p.label, type: p.type, y: inYs[k], input: p })
  );
  const lowest = Math.max(contentBottom, ...rows.map(r => r.y + CARD.rowHeight / 2));
  const footerY = Math.ceil(lowest + FRAME.pad);
  const height = Math.ceil((footerY + CARD.footerHeight) / 2) * 2;
  for (const r of rows) {
    if (r.kind === 'output') {
      outputPorts[r.name] = { x: width - CARD.portInset, y: r.y };
    } else {
      inputPorts[r.name] = { x: CARD.portInset, y: r.y };
    }
  }
  const frame: CardGeometry = {
    width,
    height,
    headerHeight: CARD.headerHeight,
    rows,
    inputPorts,
    outputPorts,
    dividerY: null,
    footerY,
    previewY: null
  };
  return { layout: { frame, cards: placed, wires, toggle: toggleBox(width, toggleLabel(doc, true), false) }, faces };
}

/** The frame's face: header with the toggle, port dots and labels on its edges, a footer. */
export function frameSvg(
  spec: CardSpec,
  layout: GroupLayout,
  opt: { name: string; label: string; shape: string; params: string; error: string; connected?: Set<string> }
): string {
  const g = layout.frame;
  const W = g.width;
  const H = g.height;
  const accent = opt.error ? '#d32f2f' : categoryColor(spec.category);
  const head = faceTheme.dark ? '#3a4354' : tint(accent, 0.88);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-size="${CARD.fontSize}" ` +
      `font-family="'Inter', 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif">`
  );
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fbfcfe"/>`);
  parts.push(
    `<rect x="3" y="${g.headerHeight + 3}" width="${W - 6}" height="${g.footerY! - g.headerHeight - 6}" rx="6" fill="none" ` +
      `stroke="#d5dbe4" stroke-dasharray="6 4"/>`
  );
  parts.push(`<rect x="0" y="0" width="${W}" height="${g.headerHeight}" fill="${head}"/>`);
  parts.push(`<rect x="0" y="0" width="${W}" height="3" fill="${accent}"/>`);
  parts.push(
    `<text x="${CARD.padX}" y="19" font-size="${CARD.titleSize}" font-weight="700" fill="#1b2330">${escapeXml(spec.title)}</text>`
  );
  parts.push(`<text x="${CARD.padX}" y="33" font-size="10.5" fill="#5b6472">${escapeXml(opt.name)}</text>`);
  parts.push(toggleSvg(layout.toggle, opt.label));
  for (const r of g.rows) {
    const out = r.kind === 'output';
    const p = out ? g.outputPorts[r.name] : g.inputPorts[r.name];
    const filled = !!opt.connected?.has((out ? 'out:' : 'in:') + r.name);
    const color = typeColor(r.type);
    parts.push(
      filled
        ? `<circle cx="${p.x}" cy="${p.y}" r="${CARD.dotRadius}" fill="${color}" stroke="#ffffff" stroke-width="1.5"/>`
        : `<circle cx="${p.x}" cy="${p.y}" r="${CARD.dotRadius - 0.75}" fill="#ffffff" stroke="${color}" stroke-width="2"/>`
    );
    // labels sit above their dots, clear of the wires leaving them sideways
    const x = out ? p.x - 4 : p.x + 4;
    parts.push(
      `<text x="${x}" y="${p.y - 9}" text-anchor="${out ? 'end' : 'start'}" font-size="${FRAME.labelSize}" fill="#27313f">${escapeXml(r.label)}</text>`
    );
  }
  const fy = g.footerY!;
  parts.push(`<rect x="0" y="${fy}" width="${W}" height="${H - fy}" fill="${opt.error ? '#fdeeee' : '#f4f6f9'}"/>`);
  parts.push(`<line x1="0" y1="${fy + 0.5}" x2="${W}" y2="${fy + 0.5}" stroke="#e3e7ed"/>`);
  const by = fy + CARD.footerHeight / 2 + CARD.fontSize * 0.36;
  if (opt.error) {
    parts.push(
      `<text x="${CARD.padX}" y="${by}" font-size="10.5" font-weight="600" fill="#b71c1c">${escapeXml(opt.error)}</text>`
    );
  } else if (opt.shape) {
    parts.push(
      `<text x="${CARD.padX}" y="${by}" font-family="${escapeXml(MONO_FAMILY)}" font-size="10.5" fill="#1f4f99">${escapeXml(opt.shape)}</text>`
    );
  }
  if (opt.params && !opt.error) {
    parts.push(
      `<text x="${W - CARD.padX}" y="${by}" text-anchor="end" font-size="10.5" fill="#5b6472">${escapeXml(opt.params)}</text>`
    );
  }
  parts.push('</svg>');
  const svg = parts.join('');
  return faceTheme.dark ? darkFace(svg) : svg;
}

/** A collapsed nested-model card's face with its toggle drawn in the header. */
export function withToggle(svg: string, box: ToggleBox, label: string): string {
  const mark = toggleSvg(box, label);
  return svg.replace(/<\/svg>$/, (faceTheme.dark ? darkFace(mark) : mark) + '</svg>');
}

// ------------------------------------------------------------------ making room

/** A box by its corner and size. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What `makeRoom` needs of each card: its box as in the kernel (collapsed). */
export interface RoomCard {
  uid: string;
  box: Box;
  /** For an expanded group: the size of its frame (anchored at the card's top-left). */
  frame?: { w: number; h: number };
}

function overlaps(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 < b1 && b0 < a1;
}

/**
 * View-only offsets that keep every card clear of the expanded frames: for each
 * group (left to right), the cards right of its centre move right together
 * (keeping their arrangement) and the other cards below it move down, just as
 * far as the frame needs (nothing moves when there is room already). Returns the offset of every card that moves (a group's own
 * offset included: its frame is drawn from the card's top-left corner).
 */
export function makeRoom(cards: RoomCard[], gap = FRAME.gap): Map<string, Point> {
  const at = new Map(cards.map(c => [c.uid, { ...c.box }]));
  const groups = cards.filter(c => c.frame).sort((a, b) => a.box.x - b.box.x || a.box.y - b.box.y);
  const done = new Set<string>();
  for (const g of groups) {
    const card = at.get(g.uid)!;
    const frame = { x: card.x, y: card.y, w: g.frame!.w, h: g.frame!.h };
    const rect = (uid: string): Box => {
      const b = at.get(uid)!;
      const c = cards.find(k => k.uid === uid)!;
      return done.has(uid) && c.frame ? { x: b.x, y: b.y, w: c.frame.w, h: c.frame.h } : b;
    };
    const others = cards.filter(c => c.uid !== g.uid);
    // right: every card whose centre is right of the card's (moved together, keeping their
    // arrangement); below: the others whose top is below the card
    const rightOf = others.filter(c => {
      const b = at.get(c.uid)!;
      return b.x + b.w / 2 > card.x + card.w / 2 + 1;
    });
    const rightSet = new Set(rightOf.map(c => c.uid));
    let dx = 0;
    for (const c of rightOf) {
      const b = rect(c.uid);
      if (overlaps(b.y, b.y + b.h, frame.y - gap, frame.y + frame.h + gap)) {
        dx = Math.max(dx, frame.x + frame.w + gap - b.x);
      }
    }
    const below = others.filter(c => {
      const b = at.get(c.uid)!;
      return !rightSet.has(c.uid) && b.y >= card.y + card.h - 1 && b.x + b.w > frame.x;
    });
    let dy = 0;
    for (const c of below) {
      const b = rect(c.uid);
      if (overlaps(b.x, b.x + b.w, frame.x - gap, frame.x + frame.w + gap)) {
        dy = Math.max(dy, frame.y + frame.h + gap - b.y);
      }
    }
    if (dx > 0) {
      rightOf.forEach(c => (at.get(c.uid)!.x += dx));
    }
    if (dy > 0) {
      below.forEach(c => (at.get(c.uid)!.y += dy));
    }
    done.add(g.uid);
  }
  const shift = new Map<string, Point>();
  for (const c of cards) {
    const b = at.get(c.uid)!;
    // node centres: a group's frame is drawn from its card's top-left corner
    const w = c.frame ? c.frame.w : c.box.w;
    const h = c.frame ? c.frame.h : c.box.h;
    const dx = b.x + w / 2 - (c.box.x + c.box.w / 2);
    const dy = b.y + h / 2 - (c.box.y + c.box.h / 2);
    if (dx || dy) {
      shift.set(c.uid, { x: dx, y: dy });
    }
  }
  return shift;
}

// ------------------------------------------------------------------ on the canvas

/** What the groups need from the editor view. */
export interface GroupsHost {
  readonly canvas: CanvasAdapter;
  readonly layer: CardLayer;
  readonly specs: Map<string, CardSpec>;
  status(msg: string): void;
}

interface Drawn {
  uid: string;
  /** The inner graph, shapes, theme and catalogue it was laid out for. */
  key: unknown[];
  layout: GroupLayout;
  /** The card's size when collapsed. */
  card: { width: number; height: number };
  nodes: cytoscape.NodeSingular[];
  /** Invisible nodes at the frame's port dots, where inner wires start and end. */
  anchors: { node: cytoscape.NodeSingular; side: 'input' | 'output'; port: string }[];
  edges: cytoscape.EdgeSingular[];
  /** Face URLs (in the face cache) and SVG markup of the inner cards. */
  faces: string[];
  svgs: Map<string, string>;
}

/** Drawing order: an expanded frame under its inner cards, every wire above the cards. */
const FRAME_Z = 0;
const INNER_Z = 1;
const WIRE_Z = 2;
/** Far out, a frame's name is drawn this far below its top edge (inside its header and band). */
const FRAME_LABEL_DROP = CARD.headerHeight + FRAME.band;

export class Groups {
  /** Expanded groups, by card uid (laid out; drawn once their frame is on the canvas). */
  private drawn = new Map<string, Drawn>();
  /** Groups being laid out (async), by card uid, with the key they are laid out for. */
  private pending = new Map<string, unknown[]>();
  /** Collapsed nested cards' toggles, by card uid (local boxes). */
  private toggles = new Map<string, ToggleBox>();
  private watched = new Set<any>();
  /** Nested cards' sizes when collapsed (their usual face), by uid. */
  private sizes = new Map<string, { width: number; height: number }>();
  private placing = false;
  private roomFrame = 0;

  constructor(private host: GroupsHost) {}

  private get cy(): cytoscape.Core {
    return this.host.canvas.cy!;
  }

  /** Inner element ids are "<group uid>/<inner id>". */
  static innerId(group: string, id: string): string {
    return `${group}/${id}`;
  }

  /** The group an inner card or wire of the canvas belongs to, or null. */
  groupOf(id: string): string | null {
    const k = id.indexOf('/');
    const uid = k > 0 ? id.slice(0, k) : '';
    return this.drawn.has(uid) ? uid : null;
  }

  isExpanded(uid: string): boolean {
    return this.drawn.has(uid);
  }

  /** Follow the canvas: frames dragged carry their inner cards; moved cards make room again. */
  bind(cy: cytoscape.Core): void {
    cy.on('position', 'node', ev => {
      if (this.placing || !this.drawn.size) {
        return;
      }
      const id = ev.target.id();
      const d = this.drawn.get(id);
      if (d) {
        this.placeInner(d);
      }
      if (!this.groupOf(id) && !ev.target.grabbed()) {
        this.scheduleRoom();
      }
    });
    cy.on('free', 'node', () => this.drawn.size && this.scheduleRoom());
  }

  /** Cards were added or removed: watch the nested ones, draw or drop their groups. */
  update(): void {
    const layer = this.host.layer;
    for (const e of layer.cards.values()) {
      if (isNestedSpec(e.spec) && !this.watched.has(e.model)) {
        this.watched.add(e.model);
        e.model.on('change:expanded change:graph change:inner_shapes', () => this.refresh(e.uid), this);
      }
    }
    for (const uid of Array.from(this.drawn.keys())) {
      if (!layer.byUid.has(uid)) {
        this.remove(uid);
      }
    }
    for (const e of layer.cards.values()) {
      if (isNestedSpec(e.spec) && e.model.get('expanded')) {
        this.refresh(e.uid);
      }
    }
    this.scheduleRoom();
  }

  dispose(): void {
    for (const m of this.watched) {
      m.off(null, null, this);
    }
    this.watched.clear();
    if (this.roomFrame) {
      cancelAnimationFrame(this.roomFrame);
    }
  }

  /** Expand or collapse a group: the kernel keeps the state (the card's `expanded`). */
  toggle(uid: string): void {
    const e = this.host.layer.byUid.get(uid);
    if (!e || !isNestedSpec(e.spec)) {
      return;
    }
    const open = !e.model.get('expanded');
    e.model.set('expanded', open);
    e.model.save_changes();
    const name = e.model.get('name');
    this.host.status(open ? `Expanded '${name}'.` : `Collapsed '${name}'.`);
  }

  /** A tap on a card at a local point: true when it hit the group toggle (and toggled). */
  tap(uid: string, local: Point): boolean {
    const d = this.drawn.get(uid);
    const box = d ? d.layout.toggle : this.toggles.get(uid);
    if (!box) {
      return false;
    }
    const m = 3;
    if (local.x >= box.x - m && local.x <= box.x + box.w + m && local.y >= box.y - m && local.y <= box.y + box.h + m) {
      this.toggle(uid);
      return true;
    }
    return false;
  }

  /** Said when an inner card is double-clicked: where it can be changed. */
  readOnlyNote(id: string): string | null {
    const group = this.groupOf(id);
    if (!group) {
      return null;
    }
    const name = this.host.layer.cardName(group);
    return `Cards inside '${name}' are read-only: ed['${name}'].inner opens a copy in Python.`;
  }

  /**
   * The face of a card as the card layer draws it: a nested card gets its
   * toggle; an expanded one is drawn as its frame.
   */
  face(e: { uid: string; model: any; spec: CardSpec | null }, face: { geom: CardGeometry; svg: string }) {
    if (!isNestedSpec(e.spec)) {
      return face;
    }
    const doc = innerDoc(e.model);
    const d = this.drawn.get(e.uid);
    this.sizes.set(e.uid, { width: face.geom.width, height: face.geom.height });
    if (d && e.model.get('expanded')) {
      this.toggles.delete(e.uid);
      // the theme or the catalogue changed: the inner faces are drawn again (if so)
      Promise.resolve().then(() => this.refresh(e.uid));
      const shape = formatShape(e.model.get('output_shape'));
      const pc = e.model.get('param_count');
      const svg = frameSvg(e.spec!, d.layout, {
        name: e.model.get('name') || '',
        label: toggleLabel(doc, true),
        shape,
        params: typeof pc === 'number' ? `${formatCount(pc)} param${pc === 1 ? '' : 's'}` : '',
        error: e.model.get('error') || '',
        connected: this.host.layer.connected.get(e.uid)
      });
      return { geom: d.layout.frame, svg };
    }
    const label = toggleLabel(doc, false);
    const box = toggleBox(face.geom.width, label, !!e.model.get('error'));
    this.toggles.set(e.uid, box);
    return { geom: face.geom, svg: withToggle(face.svg, box, label) };
  }

  /** The group's wanted state changed (or what it shows): lay it out again, or collapse it. */
  private refresh(uid: string): void {
    const layer = this.host.layer;
    const e = layer.byUid.get(uid);
    if (!e || !this.host.canvas.alive) {
      return;
    }
    const doc = innerDoc(e.model);
    if (!e.model.get('expanded') || !doc) {
      if (this.drawn.has(uid)) {
        this.remove(uid);
        layer.redrawCard(e, true);
        this.scheduleRoom();
      } else {
        layer.redrawCard(e);
      }
      return;
    }
    const shapes = e.model.get('inner_shapes') || {};
    const key = [doc, shapes, faceTheme.dark, this.host.specs.size, e.model.get('name')];
    const same = (k: unknown[] | undefined): boolean => !!k && k.every((v, i) => v === key[i]);
    if (same(this.drawn.get(uid)?.key) || same(this.pending.get(uid))) {
      return;
    }
    this.pending.set(uid, key);
    const title = e.spec!.title;
    layoutGroup(e.spec!, doc, this.host.specs, shapes, { title, name: e.model.get('name') || '' }).then(
      ({ layout, faces }) => {
        if (this.pending.get(uid) !== key || !this.host.canvas.alive || !layer.byUid.has(uid)) {
          return;
        }
        this.pending.delete(uid);
        const old = this.drawn.get(uid);
        const card = this.sizes.get(uid) || { width: e.geom.width, height: e.geom.height };
        if (old) {
          this.removeElements(old);
        }
        const d: Drawn = { uid, key, layout, card, nodes: [], anchors: [], edges: [], faces: [], svgs: faces };
        this.drawn.set(uid, d);
        this.addElements(d, faces);
        markOpen(e.node, true);
        // under its inner cards; far out, its name in its header (clear of the inner boxes)
        e.node.style({ 'z-index': FRAME_Z, 'text-valign': 'top', 'text-margin-y': FRAME_LABEL_DROP });
        layer.redrawCard(e, true);
        this.makeRoom();
      },
      err => {
        this.pending.delete(uid);
        this.host.status(`Could not lay out the group '${e.model.get('name')}': ${err?.message || err}`);
      }
    );
  }

  private remove(uid: string): void {
    const d = this.drawn.get(uid);
    this.pending.delete(uid);
    if (d) {
      this.removeElements(d);
      this.drawn.delete(uid);
      const e = this.host.layer.byUid.get(uid);
      if (e && !e.node.removed()) {
        e.node.removeStyle('z-index text-valign text-margin-y');
        markOpen(e.node, false);
      }
    }
  }

  private addElements(d: Drawn, faces: Map<string, string>): void {
    const cy = this.cy;
    const cache = this.host.canvas.faces!;
    // the level of detail the cards are drawn at (far out: boxes with names), as on the frame
    const frame = this.host.layer.byUid.get(d.uid)?.node;
    const lod = ((frame?.classes() as unknown as string[]) || []).filter(c => /^nnc-(far|lod)/.test(c)).join(' ');
    cy.batch(() => {
      for (const c of d.layout.cards) {
        const url = cache.add(faces.get(c.uid)!);
        d.faces.push(url);
        const node = cy.add({
          group: 'nodes',
          data: {
            id: Groups.innerId(d.uid, c.uid),
            face: url,
            w: c.geom.width,
            h: c.geom.height,
            title: `${c.spec.title}\n${c.name}`,
            ...farData(c),
            group: d.uid
          },
          position: { x: 0, y: 0 },
          classes: 'card nnc-inner' + (lod ? ' ' + lod : '')
        }) as unknown as cytoscape.NodeSingular;
        node.style('z-index', INNER_Z);
        node.ungrabify();
        node.unselectify();
        d.nodes.push(node);
      }
    });
    this.placeInner(d);
    const shapes: Record<string, InnerShape> = (this.host.layer.byUid.get(d.uid)?.model.get('inner_shapes') ||
      {}) as Record<string, InnerShape>;
    cy.batch(() => {
      // wires from and to the frame's ports end on anchors at its port dots: the frame's own
      // edges stay the outer wires (which the card layer keeps attached)
      const anchor = (side: 'input' | 'output', port: string): string => {
        const id = Groups.innerId(d.uid, `${side}:${port}`);
        if (cy.getElementById(id).empty()) {
          const node = cy.add({
            group: 'nodes',
            data: { id, w: 1, h: 1, group: d.uid },
            position: { x: 0, y: 0 },
            classes: 'nnc-inner nnc-anchor'
          }) as unknown as cytoscape.NodeSingular;
          node.style({
            'background-opacity': 0,
            'border-width': 0,
            'background-image': 'none',
            label: '',
            events: 'no'
          });
          node.ungrabify();
          node.unselectify();
          d.anchors.push({ node, side, port });
        }
        return id;
      };
      for (const w of d.layout.wires) {
        const src = w.source ? Groups.innerId(d.uid, w.source) : anchor('input', w.sourcePort);
        const tgt = w.target ? Groups.innerId(d.uid, w.target) : anchor('output', w.targetPort);
        const sg = w.source ? d.layout.cards.find(c => c.uid === w.source)!.geom : null;
        const tg = w.target ? d.layout.cards.find(c => c.uid === w.target)!.geom : null;
        const edge = cy.add({
          group: 'edges',
          data: {
            id: Groups.innerId(d.uid, w.id),
            source: src,
            target: tgt,
            sep: endpointStyle(sg, 'output', w.sourcePort),
            tep: endpointStyle(tg, 'input', w.targetPort),
            ...this.curve(d, w),
            color: typeColor(w.type),
            shape: shapes[w.from]?.ports?.[w.fromPort] || '',
            port_type: w.type,
            group: d.uid
          },
          classes: 'wire nnc-inner' + (lod ? ' ' + lod : '')
        }) as unknown as cytoscape.EdgeSingular;
        edge.style('z-index', WIRE_Z);
        edge.unselectify();
        d.edges.push(edge);
      }
    });
    this.placeInner(d);
  }

  private removeElements(d: Drawn): void {
    const cache = this.host.canvas.faces;
    this.cy.batch(() => {
      for (const el of [...d.edges, ...d.nodes, ...d.anchors.map(a => a.node)]) {
        if (!el.removed()) {
          el.remove();
        }
      }
    });
    d.faces.forEach(url => cache?.drop(url));
    d.nodes = [];
    d.edges = [];
    d.anchors = [];
    d.faces = [];
  }

  /** Frame-local point of a wire end (a port of an inner card, or of the frame). */
  private localPort(
    d: Drawn,
    uid: string | null,
    side: 'input' | 'output',
    port: string
  ): { centre: Point; port: Point } {
    const f = d.layout.frame;
    if (!uid) {
      const p = (side === 'input' ? f.inputPorts : f.outputPorts)[port] || { x: 0, y: 0 };
      return { centre: p, port: p };
    }
    const c = d.layout.cards.find(k => k.uid === uid)!;
    const p = (side === 'input' ? c.geom.inputPorts : c.geom.outputPorts)[port] || {
      x: c.geom.width / 2,
      y: c.geom.height / 2
    };
    return {
      centre: c.centre,
      port: { x: c.centre.x - c.geom.width / 2 + p.x, y: c.centre.y - c.geom.height / 2 + p.y }
    };
  }

  /** The bend of an inner wire: the frame moves as a whole, so it never changes. */
  private curve(d: Drawn, w: PlacedWire): Record<string, string> {
    const s = this.localPort(d, w.source, w.source ? 'output' : 'input', w.sourcePort);
    const t = this.localPort(d, w.target, w.target ? 'input' : 'output', w.targetPort);
    const c = wireCurve(s.centre, t.centre, s.port, t.port);
    return c ? { cpw: c.weights, cpd: c.distances } : { cpw: '0.5 0.5', cpd: '0 0' };
  }

  /** Put the inner cards where their frame is. */
  private placeInner(d: Drawn): void {
    const e = this.host.layer.byUid.get(d.uid);
    if (!e || (!d.nodes.length && !d.anchors.length)) {
      return;
    }
    const c = e.node.position();
    const x0 = c.x - d.layout.frame.width / 2;
    const y0 = c.y - d.layout.frame.height / 2;
    this.placing = true;
    try {
      this.cy.batch(() => {
        d.layout.cards.forEach((ic, k) => d.nodes[k].position({ x: x0 + ic.centre.x, y: y0 + ic.centre.y }));
        const f = d.layout.frame;
        for (const a of d.anchors) {
          const p = (a.side === 'input' ? f.inputPorts : f.outputPorts)[a.port];
          if (p) {
            a.node.position({ x: x0 + p.x, y: y0 + p.y });
          }
        }
      });
    } finally {
      this.placing = false;
    }
  }

  private scheduleRoom(): void {
    if (this.roomFrame) {
      return;
    }
    this.roomFrame = requestAnimationFrame(() => {
      this.roomFrame = 0;
      if (this.host.canvas.alive && !this.cy.$('node:grabbed').length) {
        this.makeRoom();
      }
    });
  }

  /** Move cards aside (view only) so that no card is under an expanded frame. */
  makeRoom(): void {
    const layer = this.host.layer;
    for (const uid of [...layer.shift.keys(), ...layer.cardSize.keys()]) {
      if (!layer.byUid.has(uid)) {
        layer.shift.delete(uid); // a card removed (undo may bring it back: at its kernel position)
        layer.cardSize.delete(uid);
      }
    }
    if (!this.drawn.size && !layer.shift.size) {
      return;
    }
    const cards: RoomCard[] = [];
    for (const e of layer.cards.values()) {
      const p = layer.modelPosition(e);
      const d = this.drawn.get(e.uid);
      const size = this.sizes.get(e.uid) || { width: e.geom.width, height: e.geom.height };
      cards.push({
        uid: e.uid,
        box: { x: p.x, y: p.y, w: size.width, h: size.height }, // p: the card's top-left corner
        frame: d ? { w: d.layout.frame.width, h: d.layout.frame.height } : undefined
      });
    }
    const shift = makeRoom(cards);
    const moved: CardEntry[] = [];
    for (const e of layer.cards.values()) {
      const old = layer.shift.get(e.uid) || { x: 0, y: 0 };
      const now = shift.get(e.uid) || { x: 0, y: 0 };
      if (old.x !== now.x || old.y !== now.y || this.drawn.has(e.uid)) {
        moved.push(e);
      }
    }
    this.placing = true;
    try {
      this.cy.batch(() => {
        for (const e of moved) {
          const p = layer.modelPosition(e);
          const now = shift.get(e.uid);
          if (now) {
            layer.shift.set(e.uid, now);
          } else {
            layer.shift.delete(e.uid);
          }
          layer.cardSize.delete(e.uid);
          const d = this.drawn.get(e.uid);
          if (d) {
            layer.cardSize.set(e.uid, d.card);
          }
          e.node.position(layer.nodePosition(e.uid, p));
        }
      });
    } finally {
      this.placing = false;
    }
    for (const d of this.drawn.values()) {
      this.placeInner(d);
    }
    layer.updateCurves(moved.map(e => e.uid));
  }

  /** Inner cards on the canvas (corner, size, face) and inner wires, for the picture export. */
  pictureParts(): {
    cards: { x: number; y: number; width: number; height: number; svg: string }[];
    edges: cytoscape.EdgeSingular[];
  } {
    const cards: { x: number; y: number; width: number; height: number; svg: string }[] = [];
    const edges: cytoscape.EdgeSingular[] = [];
    for (const d of this.drawn.values()) {
      d.layout.cards.forEach((c, k) => {
        const n = d.nodes[k];
        if (n && !n.removed()) {
          const p = n.position();
          const svg = d.svgs.get(c.uid) || '';
          cards.push({
            x: p.x - c.geom.width / 2,
            y: p.y - c.geom.height / 2,
            width: c.geom.width,
            height: c.geom.height,
            svg
          });
        }
      });
      edges.push(...d.edges.filter(e => !e.removed()));
    }
    return { cards, edges };
  }
}
