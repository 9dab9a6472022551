import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  CARD,
  endpointStyle,
  findFreeSpot,
  hasTensorPort,
  hitPort,
  placementHeight,
  layoutCard,
  moreLabel,
  paramShown,
  portOffset,
  rectsOverlap,
  rowAt,
  textWidth
} from '../src/geometry';
import { DENSE, INPUT, realCatalog } from './fixtures';
import { Rect } from '../src/types';

test('outputs come first, right-aligned; inputs follow on the left', () => {
  const g = layoutCard(DENSE, { values: { units: 3 }, expanded: true });
  const kinds = g.rows.map(r => r.kind);
  assert.deepEqual(kinds, ['output', 'output', 'param', 'param', 'param', 'port', 'port', 'more']);
  assert.equal(g.outputPorts.output.x, g.width - CARD.portInset);
  assert.equal(g.inputPorts.input.x, CARD.portInset);
  assert.ok(g.outputPorts.layer_instance.y < g.outputPorts.output.y);
  // every row is inside the card and below the header
  for (const r of g.rows) {
    assert.ok(r.y > g.headerHeight && r.y < g.height, `row ${r.name} at ${r.y}`);
  }
  // parameters are not ports
  assert.equal(g.inputPorts.units, undefined);
});

test('parameter rows carry the current value, or the default', () => {
  const g = layoutCard(DENSE, { values: { units: 3, activation: 'softmax' } });
  const byName = Object.fromEntries(g.rows.map(r => [r.name, r]));
  assert.equal(byName.units.value, '3');
  assert.equal(byName.activation.value, 'softmax');
  assert.equal(byName.use_bias.value, 'true');
  const shape = layoutCard(INPUT, { values: { shape: [13] } });
  assert.equal(shape.rows.find(r => r.name === 'shape')!.value, '[13]');
});

test('a footer adds height; width grows with long text but is capped', () => {
  const a = layoutCard(DENSE, {});
  const b = layoutCard(DENSE, { footer: '(None, 3) · 42 params' });
  assert.equal(b.height - a.height, 4 + CARD.footerHeight - CARD.bottomPad);
  assert.ok(b.footerY !== null && b.footerY > b.rows[b.rows.length - 1].y);
  const wide = layoutCard(DENSE, { title: 'x'.repeat(200) });
  assert.equal(wide.width, CARD.maxWidth);
  assert.ok(a.width >= CARD.minWidth);
});

test('port offsets are relative to the card centre', () => {
  const g = layoutCard(DENSE, {});
  const off = portOffset(g, 'output', 'output')!;
  assert.equal(off.x, g.width / 2 - CARD.portInset);
  assert.equal(off.y, g.outputPorts.output.y - g.height / 2);
  assert.equal(portOffset(g, 'input', 'nope'), null);
  assert.match(endpointStyle(g, 'input', 'input'), /^-?\d+(\.\d+)?px -?\d+(\.\d+)?px$/);
  assert.equal(endpointStyle(null, 'input', 'input'), '0px 0px');
});

test('helper ports are folded into one row unless wired or expanded', () => {
  const compact = layoutCard(DENSE, { values: { units: 3 } });
  assert.deepEqual(
    compact.rows.map(r => r.kind),
    ['output', 'output', 'param', 'param', 'param', 'port', 'more']
  );
  assert.equal(compact.rows[compact.rows.length - 1].label, '+ 1 port');
  assert.equal(compact.inputPorts.kernel_initializer, undefined);
  assert.ok(compact.inputPorts.input);
  // a wired helper port is shown, and then nothing is left to fold
  const wired = layoutCard(DENSE, { values: { units: 3 }, connected: new Set(['in:kernel_initializer']) });
  assert.ok(wired.inputPorts.kernel_initializer);
  assert.ok(!wired.rows.some(r => r.kind === 'more'));
  assert.equal(wired.height, compact.height);
  // expanded: every port, and a row to fold them again
  const open = layoutCard(DENSE, { values: { units: 3 }, expanded: true });
  assert.equal(open.rows[open.rows.length - 1].label, '− fewer');
  assert.equal(open.height, compact.height + CARD.rowHeight);
  // a parameter left at its default is marked (drawn quietly); a set one is not
  const useBias = compact.rows.find(r => r.name === 'use_bias')!;
  const units = compact.rows.find(r => r.name === 'units')!;
  assert.ok(useBias.isDefault && !units.isDefault);
});

test('parameters at their default fold unless required or primary; a set one shows', () => {
  const rare = { label: 'Seed', name: 'seed', type: 'Integer', kind: 'param' as const, default: null, optional: true };
  const mask = { label: 'Mask', name: 'mask', type: 'NeuralNetworkTensor', kind: 'port' as const, optional: true };
  const spec = { ...DENSE, inputs: [...DENSE.inputs, rare, mask] };
  const compact = layoutCard(spec, { values: { units: 3 } });
  assert.ok(!compact.rows.some(r => r.name === 'seed' || r.name === 'mask'));
  assert.equal(compact.rows[compact.rows.length - 1].label, '+ 2 ports · 1 setting');
  // set away from its default, the row stays; so does a wired optional port
  const set = layoutCard(spec, { values: { units: 3, seed: 7 }, connected: new Set(['in:mask']) });
  assert.equal(set.rows.find(r => r.name === 'seed')!.value, '7');
  assert.ok(set.inputPorts.mask);
  assert.equal(set.rows[set.rows.length - 1].label, '+ 1 port');
  assert.equal(set.height, compact.height + 2 * CARD.rowHeight);
  // the same rule decides the height reserved for a new card
  assert.ok(placementHeight(spec) > compact.height);
  assert.equal(paramShown(rare, null), false);
  assert.equal(paramShown(rare, 1), true);
  assert.equal(moreLabel(0, 0), '− fewer');
});

test('hit-testing finds the port under the pointer and ignores parameter rows', () => {
  const g = layoutCard(DENSE, { expanded: true });
  const p = g.outputPorts.output;
  assert.deepEqual(hitPort(g, { x: p.x + 3, y: p.y - 2 }), {
    side: 'output',
    name: 'output',
    type: 'NeuralNetworkTensor'
  });
  const i = g.inputPorts.kernel_initializer;
  assert.equal(hitPort(g, i)!.name, 'kernel_initializer');
  assert.equal(hitPort(g, { x: g.width / 2, y: p.y }), null);
  const units = g.rows.find(r => r.name === 'units')!;
  assert.equal(hitPort(g, { x: CARD.portInset, y: units.y }), null);
  assert.equal(rowAt(g, { x: 40, y: units.y })!.name, 'units');
  assert.equal(rowAt(g, { x: 40, y: 5 }), null);
});

test('every catalogue card lays out without overlapping rows or ports', () => {
  const cards = realCatalog();
  assert.ok(cards.length >= 88);
  for (const spec of cards) {
    const g = layoutCard(spec, {});
    const ys = g.rows.map(r => r.y);
    for (let i = 1; i < ys.length; i++) {
      assert.ok(ys[i] - ys[i - 1] >= CARD.rowHeight, `${spec.id}: rows overlap`);
    }
    assert.equal(Object.keys(g.outputPorts).length, spec.outputs.length, spec.id);
    assert.ok(g.width >= CARD.minWidth && g.width <= CARD.maxWidth, spec.id);
    // labels fit: an input label never reaches the value pill area when width is not capped
    for (const r of g.rows) {
      if (r.kind === 'param' && g.width < CARD.maxWidth) {
        const need = CARD.labelX + textWidth(r.label, CARD.fontSize) + 22 + textWidth(r.value!, CARD.fontSize);
        assert.ok(need <= g.width + CARD.padX, `${spec.id}.${r.name} does not fit`);
      }
    }
  }
});

test('text width grows with length and bold is wider', () => {
  assert.ok(textWidth('Embedding', 11) > textWidth('Dense', 11));
  assert.ok(textWidth('Dense', 11, true) > textWidth('Dense', 11));
  assert.ok(textWidth('WWW', 11) > textWidth('iii', 11));
});

test('free spot: keeps the preferred spot when free, otherwise avoids all cards', () => {
  assert.deepEqual(findFreeSpot([], 200, 100, { x: 10, y: 20 }), { x: 10, y: 20 });
  const taken: Rect[] = [{ x: 0, y: 0, w: 200, h: 200 }];
  const p = findFreeSpot(taken, 200, 200, { x: 0, y: 0 }, 20);
  assert.ok(!rectsOverlap({ x: p.x, y: p.y, w: 200, h: 200 }, taken[0], 20));
  // adding many cards at the same spot never overlaps any earlier one
  const placed: Rect[] = [];
  for (let i = 0; i < 40; i++) {
    const q = findFreeSpot(placed, 220, 180, { x: 100, y: 100 }, 16);
    const r = { x: q.x, y: q.y, w: 220, h: 180 };
    for (const other of placed) {
      assert.ok(!rectsOverlap(r, other, 16), `card ${i} overlaps`);
    }
    placed.push(r);
  }
});

test('a preview strip adds its height below the footer and moves no port', () => {
  const base = layoutCard(DENSE, { values: { units: 8 }, footer: '(None, 8)   72 params' });
  const withPv = layoutCard(DENSE, {
    values: { units: 8 },
    footer: '(None, 8)   72 params',
    preview: ['(4, 8) · f32', 'min 0  max 2.1']
  });
  assert.equal(base.previewY, null);
  assert.equal(withPv.height, base.height + CARD.previewHeight);
  assert.equal(withPv.previewY, base.height);
  assert.ok(withPv.previewY! >= withPv.footerY! + CARD.footerHeight);
  assert.equal(withPv.width, base.width);
  // port dots stay where they were relative to the card's top-left corner ...
  assert.deepEqual(withPv.inputPorts, base.inputPorts);
  assert.deepEqual(withPv.outputPorts, base.outputPorts);
  // ... so relative to the centre (what wires are pinned to) they move up by half the strip
  const a = portOffset(base, 'output', 'output')!;
  const b = portOffset(withPv, 'output', 'output')!;
  assert.equal(a.x, b.x);
  assert.equal(a.y - b.y, CARD.previewHeight / 2);
  assert.notEqual(endpointStyle(base, 'input', 'input'), endpointStyle(withPv, 'input', 'input'));
  // the strip is not a row: nothing to hit there
  const inStrip = { x: CARD.portInset, y: withPv.previewY! + 30 };
  assert.equal(hitPort(withPv, inStrip), null);
  assert.equal(rowAt(withPv, inStrip), null);
});

test('a long preview line widens the card (capped)', () => {
  const narrow = layoutCard(DENSE, { preview: ['(1, 3)', 'min 0  mean 0.3  max 1'] });
  const wide = layoutCard(DENSE, {
    preview: ['(1, 20, 16) · float32 · 0% zeros', 'min -0.0498  mean 0.00123  max 0.0499']
  });
  assert.ok(wide.width > narrow.width);
  assert.ok(wide.width <= CARD.maxWidth);
});

// The kernel's editor.card_height agrees with placementHeight for every catalogue card:
// checked in the browser (tests/e2e/test_canvas_state.py), both read catalog/geometry.json.
test('the placement height is the height of the card with footer and preview', () => {
  const specs = realCatalog();
  for (const spec of specs) {
    const view = placementHeight(spec);
    const drawn = layoutCard(spec, { footer: '(None, 3)', preview: hasTensorPort(spec) ? ['x', 'y'] : null });
    assert.equal(drawn.height, view, spec.id);
  }
  assert.ok(hasTensorPort(DENSE) && hasTensorPort(INPUT));
  assert.ok(!hasTensorPort({ ...DENSE, outputs: [DENSE.outputs[0]], inputs: DENSE.inputs.slice(0, 4) }));
});
