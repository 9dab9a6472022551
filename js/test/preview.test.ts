import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cardSvg, STALE_COLOR } from '../src/cardsvg';
import { formatShare, formatStat, hasPreview, previewLines } from '../src/format';
import { layoutCard } from '../src/geometry';
import { DENSE } from './fixtures';

const PNG = 'data:image/png;base64,iVBORw0KGgo=';
const PREVIEW = {
  shape: [4, 8],
  dtype: 'float32',
  min: 0,
  mean: 0.41234,
  max: 2.1,
  std: 0.5,
  zeros: 0.25,
  kind: 'histogram',
  image: PNG,
  image_large: PNG
};

test('preview statistics are written compactly', () => {
  assert.equal(formatStat(0.41234), '0.412');
  assert.equal(formatStat(-12.3456), '-12.3');
  assert.equal(formatStat(123456), '1.23e5');
  assert.equal(formatStat(0.00001234), '1.23e-5');
  assert.equal(formatStat(0), '0');
  assert.equal(formatStat(null), '–');
  assert.equal(formatShare(0.25), '25%');
  assert.equal(formatShare(0), '0%');
  assert.equal(formatShare(0.001), '0.1%');
  assert.equal(formatShare(null), '–');
  const { caption, stats } = previewLines(PREVIEW);
  assert.equal(caption, '(4, 8) · float32 · 25% zeros');
  assert.equal(stats, 'min 0  mean 0.412  max 2.1');
  assert.equal(previewLines({ shape: [2], dtype: 'string', min: null }).stats, 'no numeric values');
  assert.ok(hasPreview(PREVIEW));
  assert.ok(!hasPreview({} as any));
  assert.ok(!hasPreview(null));
});

test('the card face draws the preview strip: picture, caption, stats; stale dims it and adds a badge', () => {
  const { caption, stats } = previewLines(PREVIEW);
  const g = layoutCard(DENSE, { footer: '(None, 8)', preview: [caption, stats] });
  const fresh = cardSvg(DENSE, g, {
    title: 'Dense',
    shape: '(None, 8)',
    preview: { image: PNG, caption, stats, stale: false }
  });
  assert.ok(fresh.includes(`href="${PNG}"`));
  assert.ok(fresh.includes('(4, 8) · float32 · 25% zeros'));
  assert.ok(fresh.includes('min 0  mean 0.412  max 2.1'));
  assert.ok(!fresh.includes('STALE'));
  // the picture sits inside the strip, inside the card
  const m = /<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(fresh)!;
  const [x, y, w, hh] = m.slice(1).map(Number);
  assert.ok(y >= g.previewY! && y + hh <= g.height && x > 0 && x + w < g.width);
  const stale = cardSvg(DENSE, g, { title: 'Dense', preview: { image: PNG, caption, stats, stale: true } });
  assert.ok(stale.includes('STALE') && stale.includes(STALE_COLOR));
  assert.ok(stale.includes('opacity="0.35"'));
  // no strip in the geometry: nothing drawn even if a preview is passed
  const plain = layoutCard(DENSE, {});
  assert.ok(
    !cardSvg(DENSE, plain, { title: 'Dense', preview: { image: PNG, caption, stats, stale: false } }).includes('<image')
  );
});
