/**
 * Who is wired to what, from the wires' data alone (no canvas): which ports of
 * each card have a wire, and which cards are used only as another card's layer.
 */

import { TENSOR } from './types';

/** The ends of a wire as the kernel syncs them in a wire's `data`. */
export interface WireEnds {
  source: string;
  source_port: string;
  target: string;
  target_port: string;
  port_type?: string;
}

/** Ports with a wire, per card uid: "in:<port>" / "out:<port>". */
export function connectionsOf(wires: WireEnds[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (uid: string, key: string): void => {
    let s = out.get(uid);
    if (!s) {
      s = new Set();
      out.set(uid, s);
    }
    s.add(key);
  };
  for (const d of wires) {
    add(String(d.source), 'out:' + d.source_port);
    add(String(d.target), 'in:' + d.target_port);
  }
  return out;
}

/**
 * Cards used only through their "Layer instance" output (no wire from a tensor
 * output of theirs): card uid -> uid of the card that takes the layer (a
 * wrapper such as Bidirectional). Mirrors graph.used_only_as_layer in Python.
 */
export function layerUsersOf(wires: WireEnds[]): Map<string, string> {
  const users = new Map<string, string>();
  const tensorOut = new Set<string>();
  for (const d of wires) {
    if (d.source_port === 'layer_instance') {
      users.set(String(d.source), String(d.target));
    } else if (d.port_type === TENSOR) {
      tensorOut.add(String(d.source));
    }
  }
  for (const uid of tensorOut) {
    users.delete(uid);
  }
  return users;
}

/** True when two optional sets hold the same members (a missing set is empty). */
export function sameSet(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  const sa = a ? a.size : 0;
  const sb = b ? b.size : 0;
  if (sa !== sb) {
    return false;
  }
  if (!a || !b) {
    return true;
  }
  for (const x of a) {
    if (!b.has(x)) {
      return false;
    }
  }
  return true;
}
