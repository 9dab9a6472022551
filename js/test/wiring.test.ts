import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { layoutCard } from '../src/geometry';
import { compatiblePorts, connectRequest, dropPort, DragStart } from '../src/wiring';
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

test('a wire dropped on an input dot or its row lands on that port', () => {
  const g = layoutCard(DENSE, { values: { units: 3 } });
  const dot = g.inputPorts.input;
  assert.equal(dropPort(g, dot, fromInput, 9), 'input');
  // anywhere along the row, far from the dot
  assert.equal(dropPort(g, { x: g.width / 2, y: dot.y }, fromInput, 9), 'input');
  const init = g.inputPorts.kernel_initializer;
  assert.equal(dropPort(g, { x: g.width / 2, y: init.y }, fromInput, 9), 'kernel_initializer');
});

test('a wire dropped on the card body leaves the port to the kernel', () => {
  const g = layoutCard(DENSE, { values: { units: 3 } });
  const units = g.rows.find(r => r.name === 'units')!;
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
