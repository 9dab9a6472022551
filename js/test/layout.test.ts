import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { layeredLayout, LayoutEdge, LayoutNode, LayoutResult, packColumn } from '../src/layout';
import { layoutCard, placementHeight } from '../src/geometry';
import { DENSE, INPUT } from './fixtures';
import { Point } from '../src/types';

const noPause = () => Promise.resolve();

function card(id: string, spec = DENSE): LayoutNode {
  return { id, width: layoutCard(spec, {}).width, height: placementHeight(spec) };
}

function wire(source: string, target: string): LayoutEdge {
  return { source, target };
}

function box(n: LayoutNode, p: Point) {
  return { x0: p.x - n.width / 2, x1: p.x + n.width / 2, y0: p.y - n.height / 2, y1: p.y + n.height / 2 };
}

function assertNoOverlap(nodes: LayoutNode[], r: LayoutResult) {
  const boxes = nodes.map(n => ({ id: n.id, ...box(n, r.positions.get(n.id)!) }));
  // sweep by x so thousands of cards stay cheap to check
  boxes.sort((a, b) => a.x0 - b.x0);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j].x0 < boxes[i].x1; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const overlap = a.y0 < b.y1 && b.y0 < a.y1;
      assert.ok(!overlap, `${a.id} overlaps ${b.id}`);
    }
  }
}

function assertLeftToRight(nodes: LayoutNode[], edges: LayoutEdge[], r: LayoutResult) {
  const byId = new Map(nodes.map(n => [n.id, n]));
  for (const e of edges) {
    const s = box(byId.get(e.source)!, r.positions.get(e.source)!);
    const t = box(byId.get(e.target)!, r.positions.get(e.target)!);
    assert.ok(s.x1 < t.x0, `wire ${e.source} -> ${e.target} goes right to left`);
  }
}

/** A random-looking but fixed DAG: a trunk with branches that merge again, plus loose cards. */
function network(count: number): { nodes: LayoutNode[]; edges: LayoutEdge[] } {
  const nodes: LayoutNode[] = [card('input', INPUT)];
  const edges: LayoutEdge[] = [];
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 1; i < count; i++) {
    const id = `c${i}`;
    nodes.push(card(id));
    if (i % 97 === 0) {
      continue; // a card on its own
    }
    const from = Math.max(0, i - 1 - Math.floor(rand() * 5));
    if (from % 97 !== 0 || from === 0) {
      edges.push(wire(nodes[from].id, id));
    }
    if (rand() < 0.2 && i > 10) {
      edges.push(wire(nodes[i - 10].id, id));
    }
  }
  return { nodes, edges };
}

test('a chain is one horizontal row, left to right', async () => {
  const nodes = ['a', 'b', 'c', 'd'].map(id => card(id));
  const edges = [wire('a', 'b'), wire('b', 'c'), wire('c', 'd')];
  const r = await layeredLayout(nodes, edges, { pause: noPause });
  assertLeftToRight(nodes, edges, r);
  for (const e of edges) {
    assert.equal(r.positions.get(e.target)!.y, r.positions.get(e.source)!.y, `${e.source} -> ${e.target}`);
  }
});

test('branches that merge sit in separate rows without overlapping', async () => {
  const nodes = ['in', 'left', 'right', 'merge', 'out'].map(id => card(id));
  const edges = [
    wire('in', 'left'),
    wire('in', 'right'),
    wire('left', 'merge'),
    wire('right', 'merge'),
    wire('merge', 'out')
  ];
  const r = await layeredLayout(nodes, edges, { pause: noPause });
  assertNoOverlap(nodes, r);
  assertLeftToRight(nodes, edges, r);
  const p = (id: string) => r.positions.get(id)!;
  assert.equal(p('left').x, p('right').x);
  assert.notEqual(p('left').y, p('right').y);
  // the merge sits between its two inputs
  const [top, bottom] = [p('left').y, p('right').y].sort((a, b) => a - b);
  assert.ok(top <= p('merge').y && p('merge').y <= bottom);
});

test('a card with no inputs sits in the column just before its user', async () => {
  const nodes = ['a', 'b', 'c', 'd', 'helper'].map(id => card(id));
  const edges = [wire('a', 'b'), wire('b', 'c'), wire('c', 'd'), wire('helper', 'd')];
  const r = await layeredLayout(nodes, edges, { pause: noPause });
  assert.equal(r.positions.get('helper')!.x, r.positions.get('c')!.x);
  assertNoOverlap(nodes, r);
});

test('unconnected parts are stacked top to bottom, in order', async () => {
  const nodes = ['a1', 'a2', 'b1', 'b2', 'lone'].map(id => card(id));
  const edges = [wire('a1', 'a2'), wire('b1', 'b2')];
  const r = await layeredLayout(nodes, edges, { pause: noPause });
  assertNoOverlap(nodes, r);
  const y = (id: string) => r.positions.get(id)!.y;
  assert.ok(y('a1') < y('b1') && y('b1') < y('lone'));
  // each part starts at the left edge
  assert.equal(r.positions.get('a1')!.x, r.positions.get('b1')!.x);
  assert.equal(r.positions.get('a1')!.x, r.positions.get('lone')!.x);
});

test('the same graph gets the same layout', async () => {
  const { nodes, edges } = network(300);
  const a = await layeredLayout(nodes, edges, { pause: noPause });
  const b = await layeredLayout(nodes, edges, { pause: noPause });
  assert.deepEqual([...a.positions], [...b.positions]);
});

test('2,000 cards: no overlap, every wire left to right, in a bounded number of steps', async () => {
  const { nodes, edges } = network(2000);
  let pauses = 0;
  const r = await layeredLayout(nodes, edges, {
    pause: () => {
      pauses++;
      return Promise.resolve();
    }
  });
  assert.equal(r.positions.size, 2000);
  assertNoOverlap(nodes, r);
  assertLeftToRight(nodes, edges, r);
  assert.equal(r.steps, pauses);
  // it does pause (no single long task) but not endlessly: the work per step is bounded
  assert.ok(pauses >= 10, `only ${pauses} pauses`);
  assert.ok(pauses <= 200, `${pauses} pauses`);
});

test('a cycle does not hang the layout', async () => {
  const nodes = ['a', 'b', 'c'].map(id => card(id));
  const edges = [wire('a', 'b'), wire('b', 'c'), wire('c', 'a')];
  const r = await layeredLayout(nodes, edges, { pause: noPause });
  assert.equal(r.positions.size, 3);
  assertNoOverlap(nodes, r);
});

test('bad input is refused with the card it is about', async () => {
  await assert.rejects(layeredLayout([card('a')], [wire('a', 'ghost')], { pause: noPause }), /a -> ghost/);
  await assert.rejects(layeredLayout([card('a'), card('a')], [], { pause: noPause }), /card id a appears twice/);
  await assert.rejects(
    layeredLayout([{ id: 'z', width: 0, height: 10 }], [], { pause: noPause }),
    /card z needs a positive width and height, got 0 x 10/
  );
});

test('packColumn keeps order and gaps, and leaves cards where they want to be when there is room', () => {
  assert.deepEqual(packColumn([10, 10], [0, 100], 5), [0, 100]);
  // two cards wanting the same place share the difference
  assert.deepEqual(packColumn([10, 10], [50, 50], 4), [43, 57]);
  const ys = packColumn([20, 40, 10], [0, 0, 0], 6);
  assert.equal(ys[1] - ys[0], 30 + 6);
  assert.equal(ys[2] - ys[1], 25 + 6);
});
