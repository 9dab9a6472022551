import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { boxOf, fitViewport, panToShow } from '../src/viewport';

const card = (x: number, y: number, width = 200, height = 100) => ({ center: { x, y }, width, height });

test('bounding box of cards from centres and sizes; empty is all zero', () => {
  assert.deepEqual(boxOf([card(100, 50), card(400, 250)]), { x1: 0, y1: 0, x2: 500, y2: 300, w: 500, h: 300 });
  assert.deepEqual(boxOf([]), { x1: 0, y1: 0, x2: 0, y2: 0, w: 0, h: 0 });
});

test('a small network is centred at 100% (never zoomed in)', () => {
  const bb = boxOf([card(100, 50)]);
  const v = fitViewport(bb, 800, 600, { all: false, minZoom: 0.08, inputsY: null });
  assert.equal(v.zoom, 1);
  // the card's centre lands in the middle of the canvas
  assert.equal(v.pan.x + 100 * v.zoom, 400);
  assert.equal(v.pan.y + 50 * v.zoom, 300);
});

test('fitting everything zooms out until the network fits with padding', () => {
  const bb = boxOf([card(0, 0), card(3000, 0)]);
  const v = fitViewport(bb, 800, 600, { all: true, minZoom: 0.08, inputsY: null });
  assert.ok(bb.w * v.zoom <= 800 - 64 + 1e-9);
  assert.ok(v.zoom < 0.3);
});

test('a readable fit keeps 85% and starts at the left of a wide network', () => {
  const bb = boxOf([card(0, 0), card(3000, 0)]);
  const v = fitViewport(bb, 800, 600, { all: false, minZoom: 0.08, inputsY: null });
  assert.equal(v.zoom, 0.85);
  assert.equal(v.pan.x + bb.x1 * v.zoom, 32); // left edge at the padding
});

test('a tall network is centred on its Input cards without empty space above', () => {
  const bb = boxOf([card(0, 0), card(0, 3000)]);
  const middle = fitViewport(bb, 800, 600, { all: false, minZoom: 0.08, inputsY: 1500 });
  assert.equal(middle.pan.y + 1500 * middle.zoom, 300);
  const top = fitViewport(bb, 800, 600, { all: false, minZoom: 0.08, inputsY: 0 });
  assert.equal(top.pan.y + bb.y1 * top.zoom, 32); // clamped: the top edge at the padding
});

test('panToShow moves as little as needed, and not at all for a visible box', () => {
  const extent = { x1: 0, y1: 0, x2: 800, y2: 600, w: 800, h: 600 };
  assert.deepEqual(panToShow(extent, { x1: 100, y1: 100, x2: 200, y2: 200, w: 100, h: 100 }, 24), { x: 0, y: 0 });
  assert.deepEqual(panToShow(extent, { x1: 750, y1: 100, x2: 850, y2: 200, w: 100, h: 100 }, 24), { x: -74, y: 0 });
  assert.deepEqual(panToShow(extent, { x1: 100, y1: -50, x2: 200, y2: 50, w: 100, h: 100 }, 24), { x: 0, y: 74 });
});
