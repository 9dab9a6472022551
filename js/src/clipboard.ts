/**
 * Copy and paste of a selection of cards with the wires between them, as pure
 * data: what is copied, and the `restore` request that pastes it (new uids,
 * wire ids and names, positions shifted). The kernel checks and adds it as
 * one undoable step.
 */

import { RestoreRequest } from './protocol';
import { Point } from './types';

export interface CopiedCard {
  uid: string;
  card_id: string;
  name: string;
  params: Record<string, unknown>;
  position: Point;
}

export interface CopiedWire {
  source: string;
  source_port: string;
  target: string;
  target_port: string;
}

export interface Clip {
  cards: CopiedCard[];
  wires: CopiedWire[];
}

/** The selection as a clip: the cards, and only the wires with both ends among them. */
export function clipOf(cards: CopiedCard[], wires: CopiedWire[]): Clip {
  const uids = new Set(cards.map(c => c.uid));
  return {
    cards: cards.map(c => ({ ...c, params: copyOf(c.params), position: { ...c.position } })),
    wires: wires.filter(w => uids.has(w.source) && uids.has(w.target)).map(w => ({ ...w }))
  };
}

/** A deep copy of JSON-like parameter values. */
function copyOf(params: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(params));
}

/** `name` made unique among `taken` ("dense" -> "dense_1", "dense_1" -> "dense_2"). */
export function uniqueName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) {
    return name;
  }
  const m = /^(.*?)_(\d+)$/.exec(name);
  const base = m ? m[1] : name;
  let i = m ? Number(m[2]) + 1 : 1;
  while (taken.has(`${base}_${i}`)) {
    i++;
  }
  return `${base}_${i}`;
}

/** A random id with a prefix, like the kernel's ("card-3f9a1c2e"). */
export function randomId(prefix: string, random: () => number = Math.random): string {
  let hex = '';
  for (let i = 0; i < 8; i++) {
    hex += Math.floor(random() * 16).toString(16);
  }
  return `${prefix}-${hex}`;
}

/**
 * The `restore` request that pastes a clip: every card gets a new uid and a
 * name not in `takenNames`; the clip's top-left card corner moves to `at`
 * (or everything shifts by 40 px when `at` is not given).
 */
export function pasteRequest(
  clip: Clip,
  takenNames: Set<string>,
  at: Point | null,
  newId: (prefix: string) => string = p => randomId(p)
): RestoreRequest {
  const names = new Set(takenNames);
  const uids = new Map<string, string>();
  let dx = 40;
  let dy = 40;
  if (at && clip.cards.length) {
    const x0 = Math.min(...clip.cards.map(c => c.position.x));
    const y0 = Math.min(...clip.cards.map(c => c.position.y));
    dx = at.x - x0;
    dy = at.y - y0;
  }
  const cards = clip.cards.map(c => {
    const uid = newId('card');
    uids.set(c.uid, uid);
    const name = uniqueName(c.name, names);
    names.add(name);
    return {
      uid,
      card_id: c.card_id,
      name,
      params: copyOf(c.params),
      position: { x: Math.round((c.position.x + dx) * 10) / 10, y: Math.round((c.position.y + dy) * 10) / 10 }
    };
  });
  const wires = clip.wires.map(w => ({
    id: newId('wire'),
    source: uids.get(w.source)!,
    source_port: w.source_port,
    target: uids.get(w.target)!,
    target_port: w.target_port
  }));
  const req: RestoreRequest = { type: 'restore', cards };
  if (wires.length) {
    req.wires = wires;
  }
  return req;
}
