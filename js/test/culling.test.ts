import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { box, cardBox, CULL_MIN, Culler, cullingSupported, intersects, wireBox } from '../src/culling';
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

test('a large network is drawn card by card in view, never into whole-network layers', () => {
  const calls: string[] = [];
  const drawn: number[] = [];
  const renderer: any = {
    drawCachedElements(_ctx: unknown, eles: unknown[]) {
      calls.push('cached');
      drawn.push(eles.length);
    },
    drawLayeredElements() {
      calls.push('layered');
    }
  };
  const cy = { renderer: () => renderer, on: () => undefined } as any;
  // cards on a row, 100 model px apart; the view holds the first ten
  const culler = new Culler(cy, id => {
    const x = Number(id) * 100;
    return box(x, 0, x + 50, 50);
  });
  assert.ok(culler.install('3.21.0'));
  const eles = (n: number): unknown[] =>
    Array.from({ length: n }, (_, i) => ({ _private: { data: { id: String(i) }, group: 'nodes' } }));
  const view = box(0, 0, 950, 50);
  renderer.drawLayeredElements.call(renderer, null, eles(CULL_MIN + 50), 1, view);
  assert.deepEqual(calls, ['cached']);
  assert.deepEqual(drawn, [10]);
  // a small network: cytoscape's own drawing, layers and all
  renderer.drawLayeredElements.call(renderer, null, eles(10), 1, view);
  assert.deepEqual(calls, ['cached', 'layered']);
});

test('culling is used only on the cytoscape versions it was checked with', () => {
  const r = { drawCachedElements() {}, drawLayeredElements() {} };
  assert.ok(cullingSupported('3.21.0', r));
  assert.ok(!cullingSupported('4.0.0', r));
  assert.ok(!cullingSupported('3.21.0', {}));
  assert.ok(!cullingSupported(undefined, r));
});
