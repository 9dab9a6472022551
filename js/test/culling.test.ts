import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { box, cardBox, cullingSupported, intersects, layersFit, wireBox } from '../src/culling';
import { wireHandles } from '../src/wiring';

test('a card box holds the card and a margin for its border and selection', () => {
  const b = cardBox({ x: 100, y: 50 }, 200, 100);
  assert.ok(b.x1 < 0 && b.x2 > 200 && b.y1 < 0 && b.y2 > 100);
  assert.equal(b.w, b.x2 - b.x1);
});

test('a wire box holds both cards and the handles of a wire going backwards', () => {
  const src = cardBox({ x: 1000, y: 0 }, 200, 100);
  const tgt = cardBox({ x: 0, y: 400 }, 200, 100);
  const sp = { x: 1100, y: 0 };
  const tp = { x: -100, y: 400 };
  const hs = wireHandles(sp, tp);
  const b = wireBox(src, tgt, hs);
  for (const p of [sp, tp, ...hs]) {
    assert.ok(p.x > b.x1 && p.x < b.x2 && p.y > b.y1 && p.y < b.y2, JSON.stringify(p));
  }
  // the loop of a backward wire reaches beyond both cards
  assert.ok(b.x2 > src.x2 && b.x1 < tgt.x1);
});

test('boxes meet when they overlap or touch, not when apart', () => {
  const a = box(0, 0, 10, 10);
  assert.ok(intersects(a, box(5, 5, 20, 20)));
  assert.ok(intersects(a, box(10, 0, 20, 10)));
  assert.ok(!intersects(a, box(11, 0, 20, 10)));
  assert.ok(!intersects(a, box(0, -20, 10, -1)));
});

test('one cached layer fits a large network only far out', () => {
  const net = box(0, 0, 10240, 13440); // 1,000 cards on a grid
  assert.ok(!layersFit(net, 0.85, 1));
  assert.ok(!layersFit(net, 0.3, 1));
  assert.ok(layersFit(net, 0.08, 1));
  assert.ok(!layersFit(net, 0.08, 8));
  assert.ok(!layersFit(box(0, 0, 10, 10), 4, 1)); // beyond cytoscape's layer zoom
});

test('culling is used only on the cytoscape versions it was checked with', () => {
  const r = { drawCachedElements() {}, drawLayeredElements() {} };
  assert.ok(cullingSupported('3.21.0', r));
  assert.ok(!cullingSupported('4.0.0', r));
  assert.ok(!cullingSupported('3.21.0', {}));
  assert.ok(!cullingSupported(undefined, r));
});
