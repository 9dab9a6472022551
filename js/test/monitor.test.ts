import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { cardSvg } from '../src/cardsvg';
import { layoutCard } from '../src/geometry';
import {
  chartMarkup,
  epochRuns,
  formatSeconds,
  linePath,
  progressOf,
  sparkPath,
  TrainingState,
  trainingMarks,
  valueRange
} from '../src/monitor';
import { DENSE } from './fixtures';

const STATE: TrainingState = {
  status: 'training',
  epoch: 2,
  epochs: 4,
  step: 5,
  steps: 10,
  elapsed: 12.34,
  eta: 75,
  metrics: ['loss', 'accuracy'],
  batch: { x: [0.1, 0.5, 1.0, 1.5], loss: [2, 1.5, 1.2, 1.0], accuracy: [0.1, 0.3, 0.5, 0.6] },
  epoch_log: { x: [1], loss: [1.2], val_loss: [1.3], accuracy: [0.5], val_accuracy: [0.45] },
  cards: 2,
  probe: true,
  warning: '',
  rules: [['dead', 'at least 95% zeros']]
};

const TRAINING = {
  state: 'dead',
  reason: '100% of its outputs on the probe batch are zero (>= 95%)',
  rule: 'at least 95% of the outputs are zero',
  weight_norm: 3.2,
  update_ratio: 0,
  zeros: 1,
  mean: 0,
  std: 0,
  series: { x: [0.2, 1, 2], weight_norm: [3.1, 3.15, 3.2], update_ratio: [0, 0, 0], zeros: [1, 1, 1] }
};

test('a line through points scaled into a box, broken at missing values', () => {
  const box = { x0: 0, x1: 2, y0: 0, y1: 10, w: 100, h: 50, left: 10, top: 5 };
  assert.equal(linePath([0, 1, 2], [0, 5, 10], box), 'M10.0 55.0L60.0 30.0L110.0 5.0');
  assert.equal(linePath([0, 1, 2], [0, null, 10], box), 'M10.0 55.0M110.0 5.0');
  assert.equal(linePath([], [], box), '');
});

test('value ranges skip missing values and widen a flat series', () => {
  assert.deepEqual(valueRange([1, null, 3], [2]), [1, 3]);
  assert.deepEqual(valueRange([2, 2]), [1.9, 2.1]);
  assert.deepEqual(valueRange([0]), [-0.5, 0.5]);
  assert.equal(valueRange([null], []), null);
  // a sparkline of a flat series is a flat line in the middle; a log one drops zeros
  assert.equal(sparkPath([5, 5], 40, 10), 'M0.0 5.0L40.0 5.0');
  assert.equal(sparkPath([0, 0], 40, 10, 0, 0, true), '');
});

test('progress line and share done while training, and when done', () => {
  const p = progressOf(STATE);
  assert.equal(p.text, 'Training · epoch 2/4 · step 5/10 · 12 s elapsed · ETA 1 min 15 s');
  assert.equal(p.done, (1 + 0.5) / 4);
  const done = progressOf({ ...STATE, status: 'done', epoch: 4, step: 10, eta: null });
  assert.equal(done.done, 1);
  assert.ok(done.text.startsWith('Done · epoch 4/4 · step 10/10') && !done.text.includes('ETA'));
  const cut = progressOf({ ...STATE, status: 'interrupted', eta: null });
  assert.equal(cut.done, (1 + 0.5) / 4); // where it was cut off
  assert.ok(cut.text.startsWith('Interrupted · epoch 2/4 · step 5/10') && !cut.text.includes('ETA'));
  assert.equal(formatSeconds(0.42), '0.4 s');
  assert.equal(formatSeconds(null), '–');
});

test("the batch line starts again with each epoch (Keras' running means)", () => {
  assert.deepEqual(epochRuns([0.5, 1, 1.5, 2, 2.5]), [
    [0, 2],
    [2, 4],
    [4, 5]
  ]);
  assert.deepEqual(epochRuns([]), []);
  const svg = chartMarkup(STATE, 'loss');
  const d = /class="nnc-series-batch" d="([^"]*)"/.exec(svg)![1];
  assert.equal((d.match(/M/g) || []).length, 2); // epochs 1 and 2
});

test('a chart has the batch, epoch and validation lines of its metric', () => {
  const svg = chartMarkup(STATE, 'loss');
  assert.match(svg, /class="nnc-series-batch" d="M[^"]*L[^"]*L[^"]*M/);
  assert.match(svg, /class="nnc-series-epoch"/);
  assert.match(svg, /class="nnc-series-val"[^>]*stroke-dasharray/);
  assert.ok(svg.includes('epoch 4')); // the x axis runs to the planned epochs
});

test('a card with training statistics gets the state cue; one without does not', () => {
  const geom = layoutCard(DENSE, { values: {}, subtitle: 'hidden' });
  const plain = cardSvg(DENSE, geom, { title: 'Dense layer', subtitle: 'hidden' });
  assert.ok(!plain.includes('nnc-training'));
  const face = cardSvg(DENSE, geom, { title: 'Dense layer', subtitle: 'hidden', training: TRAINING });
  assert.ok(face.includes('class="nnc-training nnc-training-dead"'));
  assert.ok(face.includes('>DEAD<'));
  assert.equal((face.match(/<path /g) || []).length, 2); // two sparklines: weight norm, zeros
  assert.equal(trainingMarks(100, 80, {}), '');
});
