import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { layoutCard } from '../src/geometry';
import { compatiblePorts, connectRequest, dropPort, DragStart, wireCurve } from '../src/wiring';
import { CardSpec, TENSOR } from '../src/types';
import { DENSE, INPUT } from './fixtures';

const CONCAT: CardSpec = {
  id: 'layer_Concatenate',
  title: 'Concatenate',
  category: ['Layers'],
  inputs: [{ label: 'Inputs', name: 'inputs', type: TENSOR, kind: 'port', multiplicity: 'n' }],
  outputs: [{ label: 'Output', name: 'output', type: TENSOR }]
};

const fromInput: DragStart = { uid: 'x', side: 'output', name: 'output', type: TENSOR };

test('a wire dropped on an input dot or near its row lands on that port', () => {
  const g = layoutCard(DENSE, { values: { units: 3 }, expanded: true });
  const dot = g.inputPorts.input;
  assert.equal(dropPort(g, dot, fromInput, 9), 'input');
  // anywhere along the row, far from the dot, or a little above it
  assert.equal(dropPort(g, { x: g.width / 2, y: dot.y }, fromInput, 9), 'input');
  assert.equal(dropPort(g, { x: g.width / 2, y: dot.y - 25 }, fromInput, 9), 'input');
  // right on the dot of a port of another type: that port (the kernel says why it refuses)
  const init = g.inputPorts.kernel_initializer;
  assert.equal(dropPort(g, init, fromInput, 9), 'kernel_initializer');
});

test('a wire dropped near a row of another type goes to the nearest compatible port', () => {
  const g = layoutCard(DENSE, { values: { units: 3 }, expanded: true });
  const init = g.inputPorts.kernel_initializer;
  assert.equal(dropPort(g, { x: g.width / 2, y: init.y }, fromInput, 9), 'input');
  // an input that already has its one wire is skipped
  assert.equal(
    dropPort(g, { x: g.width / 2, y: init.y }, fromInput, 9, name => name === 'input'),
    null
  );
});

test('a wire dropped on the card body leaves the port to the kernel', () => {
  const g = layoutCard(DENSE, { values: { units: 3 } });
  const units = g.rows.find(r => r.name === 'units')!;
  assert.ok(g.inputPorts.input.y - units.y > 30);
  assert.equal(dropPort(g, { x: g.width / 2, y: units.y }, fromInput, 9), null);
  assert.equal(dropPort(g, { x: g.width / 2, y: 10 }, fromInput, 9), null); // header
  // an output row is no target for a wire coming from an output
  const out = g.outputPorts.output;
  assert.equal(dropPort(g, out, fromInput, 9), null);
});

test('a wire dragged back from an input lands on an output', () => {
  const g = layoutCard(DENSE, { values: { units: 3 } });
  const back: DragStart = { uid: 'o', side: 'input', name: 'input', type: TENSOR };
  assert.equal(dropPort(g, g.outputPorts.output, back, 9), 'output');
  assert.equal(dropPort(g, g.inputPorts.input, back, 9), null);
});

test('connect requests name the ports that are known, and only those', () => {
  assert.deepEqual(connectRequest(fromInput, 'd', 'input'), {
    type: 'connect',
    source: 'x',
    source_port: 'output',
    target: 'd',
    target_port: 'input'
  });
  const body = connectRequest(fromInput, 'd', null);
  assert.deepEqual(body, { type: 'connect', source: 'x', source_port: 'output', target: 'd' });
  assert.ok(!('target_port' in body));
  const back: DragStart = { uid: 'o', side: 'input', name: 'input', type: TENSOR };
  assert.deepEqual(connectRequest(back, 'd', null), {
    type: 'connect',
    source: 'd',
    target: 'o',
    target_port: 'input'
  });
  assert.deepEqual(connectRequest(back, 'd', 'output'), {
    type: 'connect',
    source: 'd',
    source_port: 'output',
    target: 'o',
    target_port: 'input'
  });
});

test('compatible ports: other cards, same type, free single inputs, any number on a merge input', () => {
  const cards = [
    { uid: 'x', geom: layoutCard(INPUT) },
    { uid: 'd1', geom: layoutCard(DENSE) },
    { uid: 'd2', geom: layoutCard(DENSE) },
    { uid: 'c', geom: layoutCard(CONCAT) }
  ];
  const connected = new Map([
    ['d1', new Set(['in:input'])],
    ['c', new Set(['in:inputs'])]
  ]);
  const found = compatiblePorts(cards, fromInput, connected).map(p => `${p.uid}.${p.name}`);
  assert.deepEqual(found, ['d2.input', 'c.inputs']);
  const fromDense: DragStart = { uid: 'd2', side: 'input', name: 'input', type: TENSOR };
  const outs = compatiblePorts(cards, fromDense, connected).map(p => `${p.uid}.${p.side}.${p.name}`);
  assert.deepEqual(outs, ['x.output.output', 'd1.output.output', 'c.output.output']);
});

/** The control points cytoscape computes from a curve (edge-distances: node-position). */
function handles(s: { x: number; y: number }, t: { x: number; y: number }, ws: string, ds: string) {
  const len = Math.hypot(t.x - s.x, t.y - s.y);
  const u = { x: (t.x - s.x) / len, y: (t.y - s.y) / len };
  const perp = { x: -u.y, y: u.x };
  const w = ws.split(' ').map(Number);
  const d = ds.split(' ').map(Number);
  return w.map((wi, i) => ({
    x: s.x + (t.x - s.x) * wi + perp.x * d[i],
    y: s.y + (t.y - s.y) * wi + perp.y * d[i]
  }));
}

test('a wire leaves its output dot to the right and enters its input dot from the left', () => {
  const cases = [
    { s: { x: 0, y: 0 }, t: { x: 300, y: 120 }, sp: { x: 90, y: -20 }, tp: { x: 210, y: 60 } },
    { s: { x: 0, y: 0 }, t: { x: 50, y: -400 }, sp: { x: 90, y: 30 }, tp: { x: -40, y: -380 } },
    { s: { x: 500, y: 10 }, t: { x: 0, y: 10 }, sp: { x: 590, y: 0 }, tp: { x: -90, y: 40 } }
  ];
  for (const c of cases) {
    const curve = wireCurve(c.s, c.t, c.sp, c.tp)!;
    const [h1, h2] = handles(c.s, c.t, curve.weights, curve.distances);
    // the first handle is level with the source dot and to its right; the last level with the
    // target dot and to its left: the curve is horizontal where it meets each dot
    assert.ok(Math.abs(h1.y - c.sp.y) < 0.05 && h1.x > c.sp.x + 30, JSON.stringify({ c, h1 }));
    assert.ok(Math.abs(h2.y - c.tp.y) < 0.05 && h2.x < c.tp.x - 30, JSON.stringify({ c, h2 }));
  }
  // a backwards wire (target left of source) loops out further than a short forward one
  const back = handles(
    cases[2].s,
    cases[2].t,
    ...(Object.values(wireCurve(cases[2].s, cases[2].t, cases[2].sp, cases[2].tp)!) as [string, string])
  );
  assert.ok(back[0].x - cases[2].sp.x >= 80);
  assert.equal(wireCurve({ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 0, y: 0 }, { x: 2, y: 2 }), null);
});
