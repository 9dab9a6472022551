import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  boxOf,
  fitViewport,
  panCentring,
  panToShow,
  READABLE_ZOOM,
  visibleArea,
  visibleExtent,
  wheelFactor,
  ZOOM_STEP
} from '../src/viewport';

const card = (x: number, y: number, width = 200, height = 100) => ({ center: { x, y }, width, height });
const opt = { minZoom: 0.08, inputsY: null };

test('bounding box of cards from centres and sizes; empty is all zero', () => {
  assert.deepEqual(boxOf([card(100, 50), card(400, 250)]), { x1: 0, y1: 0, x2: 500, y2: 300, w: 500, h: 300 });
  assert.deepEqual(boxOf([]), { x1: 0, y1: 0, x2: 0, y2: 0, w: 0, h: 0 });
});

test('a small network is centred at 100% (never zoomed in)', () => {
  const bb = boxOf([card(100, 50)]);
  const v = fitViewport(bb, 800, 600, opt);
  assert.equal(v.zoom, 1);
  // the card's centre lands in the middle of the canvas
  assert.equal(v.pan.x + 100 * v.zoom, 400);
  assert.equal(v.pan.y + 50 * v.zoom, 300);
});

test('a wide network is shown whole, below the readable zoom if it must (cards then draw as boxes)', () => {
  const bb = boxOf([card(0, 0), card(3000, 0)]);
  const v = fitViewport(bb, 800, 600, opt);
  assert.ok(v.zoom < READABLE_ZOOM);
  // both ends inside the canvas with the padding, centred
  const left = v.pan.x + bb.x1 * v.zoom;
  const right = v.pan.x + bb.x2 * v.zoom;
  assert.ok(Math.abs(left - 32) < 1e-9, `left ${left}`);
  assert.ok(Math.abs(right - (800 - 32)) < 1e-9, `right ${right}`);
});

test('the network is framed in the part of the canvas that overlay panels leave free', () => {
  const bb = boxOf([card(0, 0), card(1000, 0)]);
  const insets = { left: 210, right: 0, top: 0, bottom: 0 };
  const v = fitViewport(bb, 800, 600, { ...opt, insets });
  const left = v.pan.x + bb.x1 * v.zoom;
  const right = v.pan.x + bb.x2 * v.zoom;
  assert.ok(left >= 210 + 32 - 1e-9 && right <= 800 - 32 + 1e-9, `${left}..${right}`);
  // the zoom is what the free 590 px allow
  assert.ok(Math.abs(v.zoom - (590 - 64) / bb.w) < 1e-9, String(v.zoom));
  // no panel: a larger zoom
  assert.ok(fitViewport(bb, 800, 600, opt).zoom > v.zoom);
});

test('a network too large even at the smallest zoom starts at its left edge, on its Input cards', () => {
  const bb = boxOf([card(0, 0), card(0, 30000), card(30000, 0)]);
  const middle = fitViewport(bb, 800, 600, { minZoom: 0.08, inputsY: 15000 });
  assert.equal(middle.zoom, 0.08);
  assert.equal(middle.pan.x + bb.x1 * middle.zoom, 32);
  assert.equal(middle.pan.y + 15000 * middle.zoom, 300);
  const top = fitViewport(bb, 800, 600, { minZoom: 0.08, inputsY: 0 });
  assert.equal(top.pan.y + bb.y1 * top.zoom, 32); // clamped: the top edge at the padding
});

test('visible area and extent leave out the overlays', () => {
  const area = visibleArea(800, 600, { left: 210, right: 100, top: 0, bottom: 0 });
  assert.deepEqual(area, { x1: 210, y1: 0, x2: 700, y2: 600, w: 490, h: 600 });
  const ext = visibleExtent({ x: 10, y: 20 }, 0.5, area);
  assert.deepEqual(ext, { x1: 400, y1: -40, x2: 1380, y2: 1160, w: 980, h: 1200 });
  // an area narrower than the panels is empty, not negative
  assert.equal(visibleArea(300, 600, { left: 210, right: 272, top: 0, bottom: 0 }).w, 0);
});

test('panCentring puts a model point in the middle of the visible area', () => {
  const area = visibleArea(800, 600, { left: 200, right: 0, top: 0, bottom: 0 });
  const pan = panCentring({ x: 1000, y: 500 }, 0.5, area);
  assert.equal(pan.x + 1000 * 0.5, 500);
  assert.equal(pan.y + 500 * 0.5, 300);
});

test('panToShow moves as little as needed, and not at all for a visible box', () => {
  const extent = { x1: 0, y1: 0, x2: 800, y2: 600, w: 800, h: 600 };
  assert.deepEqual(panToShow(extent, { x1: 100, y1: 100, x2: 200, y2: 200, w: 100, h: 100 }, 24), { x: 0, y: 0 });
  assert.deepEqual(panToShow(extent, { x1: 750, y1: 100, x2: 850, y2: 200, w: 100, h: 100 }, 24), { x: -74, y: 0 });
  assert.deepEqual(panToShow(extent, { x1: 100, y1: -50, x2: 200, y2: 50, w: 100, h: 100 }, 24), { x: 0, y: 74 });
});

test('one wheel notch zooms by about 15%, never more than one zoom step per event', () => {
  const notch = wheelFactor(100, 0); // a mouse wheel notch down, in pixels
  assert.ok(notch > 0.83 && notch < 0.88, String(notch));
  assert.ok(Math.abs(wheelFactor(-100, 0) * notch - 1) < 1e-9); // up and down are inverse
  assert.equal(wheelFactor(-3, 1) > 1, true); // lines
  assert.equal(wheelFactor(-5000, 0), ZOOM_STEP);
  assert.equal(wheelFactor(5000, 0), 1 / ZOOM_STEP);
  assert.equal(wheelFactor(0, 0), 1);
});
