/**
 * Where a wire being dragged may end, and what request dropping it sends.
 * Pure functions of card geometry (no canvas), unit-tested in test/wiring.test.ts.
 */

import { CardGeometry, hitPort, rowAt } from './geometry';
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
 * card's top-left corner: on a port (its dot, or anywhere on its row) or on the
 * card's body, where the kernel chooses the port (port: null).
 */
export function dropPort(geom: CardGeometry, local: Point, drag: DragStart, radius: number): string | null {
  const side = otherSide(drag.side);
  const hit = hitPort(geom, local, radius);
  if (hit && hit.side === side) {
    return hit.name;
  }
  const row = rowAt(geom, local);
  if (row && row.kind === (side === 'input' ? 'port' : 'output')) {
    return row.name;
  }
  return null;
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
