/**
 * The Layout button's arrangement: a layered left-to-right layout of the card
 * graph, computed in small steps that give the browser back between steps so
 * no frame freezes, even at thousands of cards.
 *
 * Cards go into columns by longest path (a card sits one column right of its
 * furthest input; a card with no inputs sits just left of its first user),
 * columns are ordered by barycenter sweeps to cut crossings, and vertical
 * positions are pulled toward the wires' other ends (centre to centre, so a
 * chain is one horizontal row however long) without letting cards in a column
 * overlap. Unconnected
 * parts of the graph are laid out on their own and stacked top to bottom.
 * Pure logic: no DOM, no cytoscape.
 */

import { Point } from './types';

/** A card as the layout sees it: its id and size in model pixels. */
export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

/** A wire from `source` to `target` (card ids). */
export interface LayoutEdge {
  source: string;
  target: string;
}

export interface LayoutOptions {
  /** Horizontal space between columns. */
  columnGap: number;
  /** Vertical space between cards in a column. */
  cardGap: number;
  /** Vertical space between unconnected parts of the graph. */
  componentGap: number;
  /** Ordering sweeps (each one pass left to right and one back). */
  orderSweeps: number;
  /** Straightening sweeps of the vertical positions. */
  straightenSweeps: number;
  /** Work (cards plus wires visited) done between two pauses. */
  workPerStep: number;
  /** How to give the browser back between steps. */
  pause: () => Promise<void>;
}

export interface LayoutResult {
  /** Card centres by id. */
  positions: Map<string, Point>;
  /** How many times the computation paused. */
  steps: number;
}

/** Give the browser one turn of its event loop (it can paint a frame). */
export function nextTask(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0));
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  columnGap: 90,
  cardGap: 36,
  componentGap: 80,
  orderSweeps: 4,
  straightenSweeps: 4,
  workPerStep: 2000,
  pause: nextTask
};

/** Counts work and pauses whenever a step's worth has been done. */
class Stepper {
  steps = 0;
  private done = 0;

  constructor(private options: LayoutOptions) {}

  async work(amount: number): Promise<void> {
    this.done += amount;
    if (this.done >= this.options.workPerStep) {
      this.done = 0;
      this.steps++;
      await this.options.pause();
    }
  }
}

/** A wire inside one component, by node index. */
interface Link {
  from: number;
  to: number;
}

/** Lay the cards out; resolves with every card's centre. */
export async function layeredLayout(
  nodes: LayoutNode[],
  edges: LayoutEdge[],
  options: Partial<LayoutOptions> = {}
): Promise<LayoutResult> {
  const opts: LayoutOptions = { ...DEFAULT_LAYOUT, ...options };
  checkNodes(nodes);
  const stepper = new Stepper(opts);
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const links: Link[] = [];
  for (const e of edges) {
    const from = index.get(e.source);
    const to = index.get(e.target);
    if (from === undefined || to === undefined) {
      throw new Error(`layout: the wire ${e.source} -> ${e.target} names a card that is not in the graph`);
    }
    if (from !== to) {
      links.push({ from, to });
    }
  }
  const positions = new Map<string, Point>();
  const parts = components(nodes.length, links);
  const partOf = new Map<number, number>();
  parts.forEach((members, k) => members.forEach(i => partOf.set(i, k)));
  const partLinks: Link[][] = parts.map(() => []);
  for (const l of links) {
    partLinks[partOf.get(l.from)!].push(l);
  }
  let top = 0;
  for (let k = 0; k < parts.length; k++) {
    const placed = await layoutComponent(parts[k], nodes, partLinks[k], opts, stepper);
    for (const [i, p] of placed.centres) {
      positions.set(nodes[i].id, { x: p.x, y: p.y + top });
    }
    top += placed.height + opts.componentGap;
  }
  return { positions, steps: stepper.steps };
}

function checkNodes(nodes: LayoutNode[]): void {
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.id)) {
      throw new Error(`layout: the card id ${n.id} appears twice`);
    }
    seen.add(n.id);
    if (!(n.width > 0) || !(n.height > 0)) {
      throw new Error(`layout: card ${n.id} needs a positive width and height, got ${n.width} x ${n.height}`);
    }
  }
}

/** Connected parts of the graph, in order of their first card; each a list of node indices. */
function components(count: number, links: Link[]): number[][] {
  const parent = Array.from({ length: count }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  for (const l of links) {
    const a = find(l.from);
    const b = find(l.to);
    if (a !== b) {
      parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const root = find(i);
    const g = groups.get(root);
    if (g) {
      g.push(i);
    } else {
      groups.set(root, [i]);
    }
  }
  return [...groups.values()];
}

interface Placed {
  centres: Map<number, Point>;
  height: number;
}

async function layoutComponent(
  members: number[],
  nodes: LayoutNode[],
  links: Link[],
  opts: LayoutOptions,
  stepper: Stepper
): Promise<Placed> {
  const incoming = new Map<number, Link[]>(members.map(i => [i, []]));
  const outgoing = new Map<number, Link[]>(members.map(i => [i, []]));
  for (const l of links) {
    outgoing.get(l.from)!.push(l);
    incoming.get(l.to)!.push(l);
  }
  await stepper.work(members.length + links.length);

  const column = await assignColumns(members, incoming, outgoing, stepper);
  const columns = await orderColumns(members, column, incoming, outgoing, opts, stepper);

  // x: columns side by side, cards left-aligned in their column so input ports line up.
  const centres = new Map<number, Point>();
  let left = 0;
  for (const col of columns) {
    const width = Math.max(...col.map(i => nodes[i].width));
    for (const i of col) {
      centres.set(i, { x: left + nodes[i].width / 2, y: 0 });
    }
    left += width + opts.columnGap;
  }
  // y: stacked, then pulled toward their wires' other ends.
  for (const col of columns) {
    let y = 0;
    for (const i of col) {
      centres.get(i)!.y = y + nodes[i].height / 2;
      y += nodes[i].height + opts.cardGap;
    }
  }
  await stepper.work(members.length);
  for (let sweep = 0; sweep < opts.straightenSweeps; sweep++) {
    const forward = sweep % 2 === 0;
    const order = forward ? columns : [...columns].reverse();
    for (const col of order) {
      const wanted = col.map(i => {
        const ys = forward
          ? incoming.get(i)!.map(l => centres.get(l.from)!.y)
          : outgoing.get(i)!.map(l => centres.get(l.to)!.y);
        return ys.length ? median(ys) : centres.get(i)!.y;
      });
      const ys = packColumn(
        col.map(i => nodes[i].height),
        wanted,
        opts.cardGap
      );
      col.forEach((i, k) => (centres.get(i)!.y = ys[k]));
      await stepper.work(col.length + col.reduce((s, i) => s + incoming.get(i)!.length + outgoing.get(i)!.length, 0));
    }
  }
  // Move the component so its top edge is at y = 0.
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [i, p] of centres) {
    minY = Math.min(minY, p.y - nodes[i].height / 2);
    maxY = Math.max(maxY, p.y + nodes[i].height / 2);
  }
  for (const p of centres.values()) {
    p.y -= minY;
  }
  return { centres, height: maxY - minY };
}

/**
 * Longest-path columns: a card is one column right of its furthest input.
 * Cards with no inputs then move right to just before their nearest user, so
 * a helper card (an initializer, a second input) sits next to what it feeds.
 * Wires that close a cycle (not expected in a network) are ignored.
 */
async function assignColumns(
  members: number[],
  incoming: Map<number, Link[]>,
  outgoing: Map<number, Link[]>,
  stepper: Stepper
): Promise<Map<number, number>> {
  const pending = new Map(members.map(i => [i, incoming.get(i)!.length]));
  const column = new Map<number, number>(members.map(i => [i, 0]));
  const order: number[] = [];
  const ready = members.filter(i => pending.get(i) === 0);
  const placed = new Set<number>();
  const visit = (queue: number[]) => {
    for (let k = 0; k < queue.length; k++) {
      const i = queue[k];
      placed.add(i);
      order.push(i);
      for (const l of outgoing.get(i)!) {
        column.set(l.to, Math.max(column.get(l.to)!, column.get(i)! + 1));
        const left = pending.get(l.to)! - 1;
        pending.set(l.to, left);
        if (left === 0) {
          queue.push(l.to);
        }
      }
    }
  };
  visit(ready);
  // A cycle leaves cards unplaced: start again from the first of them, ignoring its open inputs.
  for (const i of members) {
    if (!placed.has(i)) {
      pending.set(i, 0);
      visit([i]);
    }
  }
  await stepper.work(members.length * 2);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k];
    const users = outgoing.get(i)!.filter(l => column.get(l.to)! > column.get(i)!);
    if (incoming.get(i)!.length === 0 && users.length) {
      column.set(i, Math.min(...users.map(l => column.get(l.to)!)) - 1);
    }
  }
  await stepper.work(members.length);
  return column;
}

/**
 * Cards of each column, top to bottom: first in the order they were found,
 * then sorted by the mean rank of their neighbours, sweeping left to right
 * (inputs) and back (users). Ties keep the previous order, so the result is
 * deterministic.
 */
async function orderColumns(
  members: number[],
  column: Map<number, number>,
  incoming: Map<number, Link[]>,
  outgoing: Map<number, Link[]>,
  opts: LayoutOptions,
  stepper: Stepper
): Promise<number[][]> {
  const count = Math.max(...members.map(i => column.get(i)!)) + 1;
  const columns: number[][] = Array.from({ length: count }, () => []);
  for (const i of members) {
    columns[column.get(i)!].push(i);
  }
  const rank = new Map<number, number>();
  const setRanks = (col: number[]) => col.forEach((i, r) => rank.set(i, (r + 0.5) / col.length));
  columns.forEach(setRanks);
  await stepper.work(members.length);
  for (let sweep = 0; sweep < opts.orderSweeps * 2; sweep++) {
    const forward = sweep % 2 === 0;
    const order = forward ? columns.keys() : [...columns.keys()].reverse();
    for (const c of order) {
      const col = columns[c];
      const key = new Map<number, number>();
      col.forEach(i => {
        const links = forward ? incoming.get(i)! : outgoing.get(i)!;
        const ends = links.map(l => rank.get(forward ? l.from : l.to)!);
        key.set(i, ends.length ? ends.reduce((a, b) => a + b, 0) / ends.length : rank.get(i)!);
      });
      const before = new Map(col.map((i, r) => [i, r]));
      col.sort((a, b) => key.get(a)! - key.get(b)! || before.get(a)! - before.get(b)!);
      setRanks(col);
      await stepper.work(col.length + col.reduce((s, i) => s + incoming.get(i)!.length + outgoing.get(i)!.length, 0));
    }
  }
  return columns;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Centres for cards stacked in this order, each as close to its wanted centre
 * as possible (least squares) while keeping `gap` between neighbours. With
 * z_k = y_k - (offset of card k in a tight stack), the constraints say z never
 * decreases: an isotonic regression, solved by pooling adjacent violators.
 */
export function packColumn(heights: number[], wanted: number[], gap: number): number[] {
  const offsets: number[] = [];
  let off = 0;
  heights.forEach((h, k) => {
    if (k > 0) {
      off += (heights[k - 1] + h) / 2 + gap;
    }
    offsets.push(off);
  });
  // blocks of pooled cards: [first index, count, mean target]
  const blocks: { first: number; count: number; mean: number }[] = [];
  wanted.forEach((w, k) => {
    let block = { first: k, count: 1, mean: w - offsets[k] };
    while (blocks.length && blocks[blocks.length - 1].mean >= block.mean) {
      const prev = blocks.pop()!;
      const count = prev.count + block.count;
      block = { first: prev.first, count, mean: (prev.mean * prev.count + block.mean * block.count) / count };
    }
    blocks.push(block);
  });
  const ys: number[] = [];
  for (const b of blocks) {
    for (let k = b.first; k < b.first + b.count; k++) {
      ys.push(b.mean + offsets[k]);
    }
  }
  return ys;
}
