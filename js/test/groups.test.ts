import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { InnerDoc, toggleLabel } from '../src/groupdoc';
import { frameSvg, toggleBox, withToggle } from '../src/groupframe';
import { layoutGroup, makeRoom, RoomCard } from '../src/grouplayout';
import { cardSvg } from '../src/cardsvg';
import { layoutCard } from '../src/geometry';
import { CardSpec, LAYER, TENSOR } from '../src/types';
import { DENSE } from './fixtures';

const NESTED: CardSpec = {
  id: 'model:[["pixels"], ["code"]]',
  title: 'Nested model',
  category: ['Models'],
  role: 'layer',
  inputs: [
    { label: 'Graph', name: 'graph', type: 'Graph', kind: 'param', required: true },
    { label: 'pixels', name: 'in_0', type: TENSOR, kind: 'port' }
  ],
  outputs: [
    { label: 'Layer instance', name: 'layer', type: LAYER },
    { label: 'code', name: 'output', type: TENSOR }
  ]
};

const DOC: InnerDoc = {
  cards: [
    { uid: 'i', card_id: 'input', name: 'pixels', params: { shape: [8] } },
    { uid: 'h', card_id: 'layer_Dense', name: 'hidden', params: { units: 16 } },
    { uid: 'c', card_id: 'layer_Dense', name: 'code', params: { units: 4 } },
    { uid: 'o', card_id: 'output', name: 'code' }
  ],
  wires: [
    { id: 'w1', source: 'i', source_port: 'data', target: 'h', target_port: 'input' },
    { id: 'w2', source: 'h', source_port: 'output', target: 'c', target_port: 'input' },
    { id: 'w3', source: 'c', source_port: 'output', target: 'o', target_port: 'data' }
  ]
};

const SPECS = new Map<string, CardSpec>([[DENSE.id, DENSE]]);
const SHAPES = {
  h: { output_shape: '(None, 16)', param_count: 144, ports: { output: '(None, 16)' } },
  c: { output_shape: '(None, 4)', param_count: 68, ports: { output: '(None, 4)' } }
};

test('a group lays its inner layers out inside the frame, ports on its edges', async () => {
  const { layout, faces } = await layoutGroup(NESTED, DOC, SPECS, SHAPES, { title: 'Nested model', name: 'encoder' });
  const f = layout.frame;
  assert.deepEqual(
    layout.cards.map(c => c.name),
    ['hidden', 'code']
  );
  for (const c of layout.cards) {
    assert.ok(c.centre.x - c.geom.width / 2 > 0 && c.centre.x + c.geom.width / 2 < f.width, c.name);
    assert.ok(c.centre.y - c.geom.height / 2 > f.headerHeight && c.centre.y + c.geom.height / 2 < f.footerY!, c.name);
  }
  const [h, c] = layout.cards;
  assert.ok(h.centre.x + h.geom.width / 2 < c.centre.x - c.geom.width / 2, 'left to right, no overlap');
  // the card's ports: the input on the left edge, the outputs on the right
  assert.equal(f.inputPorts.in_0.x < 20, true);
  assert.equal(f.outputPorts.output.x > f.width - 20, true);
  assert.equal(f.outputPorts.layer.x > f.width - 20, true);
  // a pass-through wire is straight: the frame's input sits at the height of the inner input
  assert.equal(f.inputPorts.in_0.y, h.centre.y - h.geom.height / 2 + h.geom.inputPorts.input.y);
  assert.equal(f.outputPorts.output.y, c.centre.y - c.geom.height / 2 + c.geom.outputPorts.output.y);
  // wires: frame input -> hidden -> code -> frame output
  assert.deepEqual(
    layout.wires.map(w => [w.source, w.sourcePort, w.target, w.targetPort]),
    [
      [null, 'in_0', 'h', 'input'],
      ['h', 'output', 'c', 'input'],
      ['c', 'output', null, 'output']
    ]
  );
  // inner faces carry their names and the kernel's shapes
  assert.match(faces.get('h')!, />hidden</);
  assert.match(faces.get('h')!, /\(None, 16\)/);
  assert.match(faces.get('c')!, /68 params/);
});

test('the frame face shows the toggle, the port labels and the footer', async () => {
  const { layout } = await layoutGroup(NESTED, DOC, SPECS, SHAPES, { title: 'Nested model', name: 'encoder' });
  const svg = frameSvg(NESTED, layout, {
    name: 'encoder',
    label: toggleLabel(DOC, true),
    shape: '(None, 4)',
    params: '212 params',
    error: ''
  });
  assert.match(svg, /data-toggle="group"/);
  assert.match(svg, /▾ 2 layers/);
  assert.match(svg, />pixels</);
  assert.match(svg, />code</);
  assert.match(svg, />212 params</);
  assert.match(svg, new RegExp(`width="${layout.frame.width}" height="${layout.frame.height}"`));
});

test('the frame draws its header, port dots and footer as a card does', async () => {
  const { layout } = await layoutGroup(NESTED, DOC, SPECS, SHAPES, { title: 'Nested model', name: 'encoder' });
  const f = layout.frame;
  const opt = { shape: '(None, 4)', params: '212 params', connected: new Set(['in:in_0']) };
  const frame = frameSvg(NESTED, layout, { ...opt, name: 'encoder', label: toggleLabel(DOC, true), error: '' });
  const g = layoutCard(NESTED, { subtitle: 'encoder', footer: 'x' });
  const card = cardSvg(NESTED, g, { ...opt, title: 'Nested model', subtitle: 'encoder' });
  // a text's element without its place, and its place (from the right edge; under the footer's top)
  const text = (svg: string, t: string, width: number, footerY: number) => {
    const found = svg.match(new RegExp(`<text[^>]*>${t}</text>`, 'g')) || [];
    assert.equal(found.length, 1, t);
    const x = Number(/ x="([\d.]+)"/.exec(found[0])![1]);
    const y = Number(/ y="([\d.]+)"/.exec(found[0])![1]);
    const anchoredRight = found[0].includes('text-anchor="end"');
    return {
      look: found[0].replace(/ [xy]="[\d.]+"/g, ''),
      x: anchoredRight ? width - x : x,
      y: Math.round((y > footerY ? y - footerY : y) * 100) / 100
    };
  };
  for (const t of ['Nested model', 'encoder', '212 params', '\\(None, 4\\)']) {
    assert.deepEqual(text(frame, t, f.width, f.footerY!), text(card, t, g.width, g.footerY!), t);
  }
  // the filled input dot and the open output dot, drawn alike at the same inset from the edges
  const dots = (svg: string): string[] =>
    (svg.match(/<circle [^>]*>/g) || []).map(d => d.replace(/c[xy]="[\d.]+" /g, ''));
  const card0 = layoutCard(NESTED);
  assert.equal(f.inputPorts.in_0.x, card0.inputPorts.in_0.x);
  assert.equal(f.width - f.outputPorts.output.x, card0.width - card0.outputPorts.output.x);
  assert.deepEqual(new Set(dots(frame)), new Set(dots(card)));
});

test('a collapsed nested card gets its toggle in the header', () => {
  const box = toggleBox(200, toggleLabel(DOC, false), false);
  assert.equal(toggleLabel(DOC, false), '▸ 2 layers');
  assert.ok(box.x > 100 && box.x + box.w <= 200 - 8);
  const svg = withToggle('<svg width="200" height="100"><rect/></svg>', box, '▸ 2 layers');
  assert.match(svg, /<rect\/><g data-toggle="group">.*▸ 2 layers.*<\/g><\/svg>$/);
});

function overlap(a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

test('an expanded group moves the cards right of it and below it just clear of its frame', () => {
  const cards: RoomCard[] = [
    { uid: 'left', box: { x: 0, y: 0, w: 100, h: 80 } },
    { uid: 'group', box: { x: 200, y: 0, w: 100, h: 80 }, frame: { w: 600, h: 300 } },
    { uid: 'right', box: { x: 400, y: 0, w: 100, h: 80 } },
    { uid: 'further', box: { x: 600, y: 50, w: 100, h: 80 } },
    { uid: 'below', box: { x: 200, y: 150, w: 100, h: 80 } },
    { uid: 'far below', box: { x: 0, y: 1000, w: 100, h: 80 } }
  ];
  const shift = makeRoom(cards, 40);
  assert.equal(shift.has('left'), false);
  assert.equal(shift.has('far below'), false);
  // the group's own node is centred on its frame, drawn from the card's corner
  assert.deepEqual(shift.get('group'), { x: 250, y: 110 });
  // right: moved by the same amount, keeping their arrangement
  assert.deepEqual(shift.get('right'), { x: 440, y: 0 });
  assert.deepEqual(shift.get('further'), { x: 440, y: 0 });
  assert.deepEqual(shift.get('below'), { x: 0, y: 190 });
  const frame = { x: 200, y: 0, w: 600, h: 300 };
  for (const c of cards) {
    if (c.uid !== 'group') {
      const s = shift.get(c.uid) || { x: 0, y: 0 };
      assert.equal(overlap({ ...c.box, x: c.box.x + s.x, y: c.box.y + s.y }, frame), false, c.uid);
    }
  }
});

test('cards right of a group move right together, also those lower down', () => {
  const cards: RoomCard[] = [
    { uid: 'group', box: { x: 0, y: 0, w: 100, h: 100 }, frame: { w: 500, h: 300 } },
    { uid: 'next', box: { x: 200, y: 0, w: 150, h: 100 } },
    { uid: 'low', box: { x: 400, y: 120, w: 80, h: 60 } },
    { uid: 'under', box: { x: 0, y: 160, w: 100, h: 100 } }
  ];
  const shift = makeRoom(cards, 40);
  assert.deepEqual(shift.get('next'), shift.get('low'));
  assert.deepEqual(shift.get('next'), { x: 340, y: 0 });
  assert.deepEqual(shift.get('under'), { x: 0, y: 180 });
});

test('nothing moves when there is room for the frame already', () => {
  const cards: RoomCard[] = [
    { uid: 'group', box: { x: 0, y: 0, w: 100, h: 80 }, frame: { w: 300, h: 200 } },
    { uid: 'right', box: { x: 400, y: 0, w: 100, h: 80 } },
    { uid: 'below', box: { x: 0, y: 300, w: 100, h: 80 } }
  ];
  const shift = makeRoom(cards, 40);
  assert.deepEqual([...shift.keys()], ['group']);
});
