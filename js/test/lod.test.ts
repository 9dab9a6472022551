import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  LOD_BANDS,
  LOD_MIN_FONT,
  lodBand,
  lodClasses,
  LodSwitcher,
  nodeBand,
  switchOrder,
  withCurves
} from '../src/lod';
import { canvasStyle } from '../src/canvas';
import { CARD } from '../src/geometry';

test('faces at and above the far zoom, then bands down to boxes without text', () => {
  assert.equal(lodBand(1, 0.7), 0);
  assert.equal(lodBand(0.7, 0.7), 0);
  assert.equal(lodBand(0.69, 0.7), 1);
  assert.equal(lodBand(0.3, 0.7), 2);
  assert.equal(lodBand(0.08, 0.7), LOD_BANDS.length);
  assert.equal(lodClasses(0), '');
  assert.equal(lodClasses(2), 'nnc-far nnc-lod2');
});

test('in every band with a label the text is at least LOD_MIN_FONT screen pixels', () => {
  LOD_BANDS.forEach(b => {
    if (b.font) {
      assert.ok(b.font * b.min >= LOD_MIN_FONT - 1e-9, JSON.stringify(b));
    }
  });
});

test('a label shows only while the narrowest card holds about six characters of it', () => {
  LOD_BANDS.forEach(b => {
    if (b.font) {
      const screenBox = CARD.minWidth * b.min;
      assert.ok(screenBox >= 6 * 0.6 * LOD_MIN_FONT, JSON.stringify(b));
    }
  });
  const last = LOD_BANDS[LOD_BANDS.length - 1];
  assert.equal(last.font, 0);
});

test('cards on screen switch first, a chunk at a time', () => {
  const items = [1, 2, 3, 4, 5, 6];
  assert.deepEqual(
    switchOrder(items, x => x % 2 === 0, 4),
    [2, 4, 6, 1]
  );
  assert.deepEqual(
    switchOrder(items, () => false, 10),
    items
  );
});

test('far out, wires switch with the cards to straight lines under the boxes; a picture reads their curves', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cytoscape = require('cytoscape');
  const cy = cytoscape({ headless: true, styleEnabled: true, style: canvasStyle() });
  const data = { w: 200, h: 100, cpw: '0.5', cpd: '0', sep: '50% 0%', tep: '-50% 0%', color: '#333' };
  cy.add([
    { group: 'nodes', data: { id: 'a', ...data }, position: { x: 0, y: 0 }, classes: 'card' },
    { group: 'nodes', data: { id: 'b', ...data }, position: { x: 400, y: 0 }, classes: 'card' },
    { group: 'edges', data: { id: 'w', source: 'a', target: 'b', ...data }, classes: 'wire' }
  ]);
  const wire = cy.getElementById('w');
  assert.equal(wire.style('curve-style'), 'unbundled-bezier');
  const lod = new LodSwitcher(cy);
  assert.equal(lod.set(2), false);
  assert.equal(nodeBand(cy.getElementById('a')), 2);
  assert.equal(nodeBand(wire), 2);
  assert.equal(wire.style('curve-style'), 'haystack');
  assert.equal(wire.numericStyle('width'), LOD_BANDS[1].wire);
  assert.ok(Number(wire.style('z-index')) < Number(cy.getElementById('a').style('z-index')));
  assert.equal(
    withCurves([wire], () => wire.style('curve-style')),
    'unbundled-bezier'
  );
  assert.equal(wire.style('curve-style'), 'haystack');
  assert.equal(nodeBand(wire), 2);
  lod.set(0);
  assert.equal(wire.style('curve-style'), 'unbundled-bezier');
  cy.destroy();
});
