/**
 * Where a wire being dragged may end, and what request dropping it sends.
 * Pure functions of card geometry (no canvas), unit-tested in test/wiring.test.ts.
 */

import { CARD, CardGeometry, hitPort } from './geometry';
import { ConnectRequest } from './protocol';
import { Point } from './types';

export type Side = 'input' | 'output';

/** The port a wire drag started from. */
export interface DragStart {
  uid: string;
  side: Side;
  name: string;
  type: string;
}

/** A card as the wiring rules see it: its uid and layout. */
export interface PortCard {
  uid: string;
  geom: CardGeometry;
}

/** The side a drag from `side` must end on. */
export function otherSide(side: Side): Side {
  return side === 'output' ? 'input' : 'output';
}

/**
 * Ports a drag could end on: the other side, on other cards, of the same type;
 * an input that takes one wire and has one already is left out.
 */
export function compatiblePorts(
  cards: Iterable<PortCard>,
  drag: DragStart,
  connected: Map<string, Set<string>>
): { uid: string; side: Side; name: string }[] {
  const side = otherSide(drag.side);
  const kind = side === 'output' ? 'output' : 'port';
  const out: { uid: string; side: Side; name: string }[] = [];
  for (const c of cards) {
    if (c.uid === drag.uid) {
      continue;
    }
    for (const r of c.geom.rows) {
      if (r.kind !== kind || r.type !== drag.type) {
        continue;
      }
      const many = r.input?.multiplicity === 'n';
      if (side === 'input' && !many && connected.get(c.uid)?.has('in:' + r.name)) {
        continue;
      }
      out.push({ uid: c.uid, side, name: r.name });
    }
  }
  return out;
}

/**
 * Where a wire dropped on a card lands, given the drop point relative to the
 * card's top-left corner: on the port whose dot it hits (even one of another
 * type: the kernel then says why it refuses), else on the compatible port
 * (other side, same type, free) whose row is nearest, within a row and a half;
 * elsewhere on the card's body the kernel chooses the port (port: null), i.e.
 * the card's main Tensor input.
 * `taken(name)` tells whether an input that takes one wire already has one.
 */
export function dropPort(
  geom: CardGeometry,
  local: Point,
  drag: DragStart,
  radius: number,
  taken: (name: string) => boolean = () => false
): string | null {
  const side = otherSide(drag.side);
  const hit = hitPort(geom, local, radius);
  if (hit && hit.side === side) {
    return hit.name;
  }
  const kind = side === 'input' ? 'port' : 'output';
  let best: string | null = null;
  let bestD = CARD.rowHeight * 1.5;
  for (const r of geom.rows) {
    if (r.kind !== kind || r.type !== drag.type) {
      continue;
    }
    if (side === 'input' && r.input?.multiplicity !== 'n' && taken(r.name)) {
      continue;
    }
    const d = Math.abs(local.y - r.y);
    if (d <= bestD) {
      bestD = d;
      best = r.name;
    }
  }
  return best;
}

/** The `connect` request for a drag dropped on card `uid` at `port` (null: the kernel chooses). */
export function connectRequest(drag: DragStart, uid: string, port: string | null): ConnectRequest {
  const req: ConnectRequest =
    drag.side === 'output'
      ? { type: 'connect', source: drag.uid, source_port: drag.name, target: uid }
      : { type: 'connect', source: uid, target: drag.uid, target_port: drag.name };
  if (port !== null) {
    if (drag.side === 'output') {
      req.target_port = port;
    } else {
      req.source_port = port;
    }
  }
  return req;
}

/** Cytoscape's unbundled-bezier control points of a wire, relative to its cards' centres. */
export interface WireCurve {
  /** Positions along the line between the card centres (0 = source centre, 1 = target centre). */
  weights: string;
  /** Perpendicular distances from that line, in model pixels. */
  distances: string;
}

/** The two handles of a wire's curve: right of the source port, left of the target port. */
export function wireHandles(srcPort: Point, tgtPort: Point): Point[] {
  const dx = tgtPort.x - srcPort.x;
  const dy = tgtPort.y - srcPort.y;
  // handle length: half the horizontal run forwards; a wider loop for a wire going backwards
  const reach = dx >= 0 ? Math.max(40, dx * 0.5) : Math.max(80, Math.min(-dx * 0.5, 240) + Math.abs(dy) * 0.15);
  return [
    { x: srcPort.x + reach, y: srcPort.y },
    { x: tgtPort.x - reach, y: tgtPort.y }
  ];
}

/**
 * The curve of a wire as in node editors: it leaves the source port dot to the
 * right and enters the target port dot from the left, bending smoothly between.
 * Cytoscape places control points relative to the line between the two card
 * centres ('edge-distances: node-position'), so the two handles (one to the
 * right of the source port, one to the left of the target port) are converted
 * into weights along and distances across that line. Null when both centres
 * coincide (no line to measure from).
 */
export function wireCurve(srcCentre: Point, tgtCentre: Point, srcPort: Point, tgtPort: Point): WireCurve | null {
  const vx = tgtCentre.x - srcCentre.x;
  const vy = tgtCentre.y - srcCentre.y;
  const len = Math.hypot(vx, vy);
  if (len < 1e-6) {
    return null;
  }
  const ux = vx / len;
  const uy = vy / len;
  const ws: number[] = [];
  const ds: number[] = [];
  for (const c of wireHandles(srcPort, tgtPort)) {
    const rx = c.x - srcCentre.x;
    const ry = c.y - srcCentre.y;
    ws.push(Math.round(((rx * ux + ry * uy) / len) * 1e5) / 1e5);
    ds.push(round3(-rx * uy + ry * ux));
  }
  return { weights: ws.join(' '), distances: ds.join(' ') };
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
