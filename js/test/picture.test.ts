import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { networkSvg, PictureCard, PictureWire, wireBounds } from '../src/picture';
import { wireHandles } from '../src/wiring';

const card = (x: number, y: number): PictureCard => ({ x, y, width: 200, height: 100, svg: '<svg width="200"/>' });

function viewBox(svg: string): number[] {
  return svg
    .match(/viewBox="([^"]+)"/)![1]
    .split(' ')
    .map(Number);
}

/** Points along a wire's drawn curve (its quadratic pieces, as wirePath writes them). */
function along(w: PictureWire): { x: number; y: number }[] {
  const d = networkSvg([card(0, 0)], [w], '#fff').match(/class="wire" d="([^"]+)"/)![1];
  const nums = d.match(/-?[\d.]+/g)!.map(Number);
  const out = [];
  let p = { x: nums[0], y: nums[1] };
  for (let i = 2; i + 3 < nums.length; i += 4) {
    const c = { x: nums[i], y: nums[i + 1] };
    const q = { x: nums[i + 2], y: nums[i + 3] };
    for (let t = 0; t <= 1; t += 0.05) {
      out.push({
        x: (1 - t) ** 2 * p.x + 2 * (1 - t) * t * c.x + t * t * q.x,
        y: (1 - t) ** 2 * p.y + 2 * (1 - t) * t * c.y + t * t * q.y
      });
    }
    p = q;
  }
  return out;
}

test('the picture holds a wire going backwards, which loops outside its cards', () => {
  // an output on the right of a card wired back to an input left of a card before it
  const sp = { x: 1200, y: 50 };
  const tp = { x: 0, y: 50 };
  const w: PictureWire = { start: sp, controls: wireHandles(sp, tp), end: tp, color: '#2f6fd0' };
  const cards = [card(0, 0), card(1000, 0)];
  const [x, y, width, height] = viewBox(networkSvg(cards, [w], '#fff'));
  const cardsOnly = viewBox(networkSvg(cards, [], '#fff'));
  assert.ok(width * height > cardsOnly[2] * cardsOnly[3], 'the wire widens the picture');
  for (const p of along(w)) {
    assert.ok(p.x >= x && p.x <= x + width && p.y >= y && p.y <= y + height, JSON.stringify(p));
  }
});

test("a wire's bounds are those of its curve, not of its handles", () => {
  const w: PictureWire = { start: { x: 0, y: 0 }, controls: [{ x: 50, y: 100 }], end: { x: 100, y: 0 }, color: '' };
  const b = wireBounds(w);
  assert.deepEqual(b, { x1: 0, y1: 0, x2: 100, y2: 50 }); // the curve's top is half the handle's
});
