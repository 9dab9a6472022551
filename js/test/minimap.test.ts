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

test('the map shows the network with half a view around it, whatever the pan', () => {
  const network = box(0, 0, 5000, 400);
  const world = mapWorld(network, box(4000, -300, 5500, 600));
  assert.deepEqual(world, box(-750, -450, 5750, 850));
  assert.deepEqual(mapWorld(network, box(-900, 0, 600, 900)), world); // panned elsewhere
});

test('the minimap is needed when part of the network is out of view and there is room for it', () => {
  const network = box(0, 0, 5000, 400);
  const area = { w: 900, h: 600 };
  assert.equal(needsMap(network, box(-10, -10, 5010, 410), area), false);
  assert.equal(needsMap(network, box(0, 0, 2500, 400), area), true);
  assert.equal(needsMap(box(0, 0, 0, 0), box(10, 10, 20, 20), area), false); // no cards
  // a canvas too small to give a corner to the map (a narrow editor, a panel over it)
  assert.equal(needsMap(network, box(0, 0, 2500, 400), { w: 300, h: 600 }), false);
});
