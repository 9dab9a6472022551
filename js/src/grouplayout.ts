/**
 * Where an expanded group's parts go: its inner cards laid out with the Layout
 * button's layered layout inside a frame that keeps the card's ports on its
 * edges (inner wires leave the frame's input dots and enter its output dots),
 * and the view-only offsets that move the other cards clear of open frames:
 * the cards right of an expanded group move right and the cards below it move
 * down, just far enough; the kernel's positions do not change.
 */

import { CARD, cardGeometry, CardGeometry, CardRow, textWidth } from './geometry';
import { InnerDoc, InnerShape, innerFace, layerCards, toggleLabel, unknownSpec } from './groupdoc';
import { FRAME, ToggleBox, toggleBox } from './groupframe';
import { layeredLayout, packColumn } from './layout';
import { CardSpec, InputSpec, isParam, Point, TENSOR } from './types';

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
  const frame = cardGeometry(width, height, rows, { footerY });
  return { layout: { frame, cards: placed, wires, toggle: toggleBox(width, toggleLabel(doc, true), false) }, faces };
}

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
