import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mapTransform, mapWorld, needsMap, toMap, toWorld } from '../src/minimap';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 });

test('the world is fitted into the map, centred, within the padding', () => {
  const t = mapTransform(box(-1000, 0, 9000, 1000), 200, 130, 6);
  assert.equal(t.scale, 188 / 10000);
  const a = toMap(t, { x: -1000, y: 0 });
  const b = toMap(t, { x: 9000, y: 1000 });
  assert.ok(Math.abs(a.x - 6) < 1e-9 && Math.abs(b.x - 194) < 1e-9, `${a.x}..${b.x}`);
  assert.ok(Math.abs((a.y + b.y) / 2 - 65) < 1e-9, 'centred vertically');
});

test('toWorld undoes toMap', () => {
  const t = mapTransform(box(120, -340, 5120, 660), 200, 130, 6);
  for (const p of [
    { x: 120, y: -340 },
    { x: 3000, y: 100 },
    { x: -50, y: 9000 }
  ]) {
    const q = toWorld(t, toMap(t, p));
    assert.ok(Math.abs(q.x - p.x) < 1e-6 && Math.abs(q.y - p.y) < 1e-6, JSON.stringify([p, q]));
  }
});

test('the map shows the network and the visible area', () => {
  const network = box(0, 0, 5000, 400);
  const view = box(4000, -300, 5500, 600);
  assert.deepEqual(mapWorld(network, view), box(0, -300, 5500, 600));
});

test('the minimap is needed when part of the network is out of view', () => {
  const network = box(0, 0, 5000, 400);
  assert.equal(needsMap(network, box(-10, -10, 5010, 410)), false);
  assert.equal(needsMap(network, box(0, 0, 2500, 400)), true);
  assert.equal(needsMap(box(0, 0, 0, 0), box(10, 10, 20, 20)), false); // no cards
});
