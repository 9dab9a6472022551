import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { LOD_BANDS, LOD_MIN_FONT, lodBand, lodClasses, switchOrder } from '../src/lod';
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
