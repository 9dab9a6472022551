import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseIntList, parseParam } from '../src/parse';
import { formatCount, formatShape, formatValue, valueToText, formatNumber } from '../src/format';
import { InputSpec } from '../src/types';

const units: InputSpec = { label: 'Units', name: 'units', type: 'Integer', minimum: 1, kind: 'param' };
const rate: InputSpec = { label: 'Rate', name: 'rate', type: 'Float', minimum: 0, maximum: 1, kind: 'param' };
const length: InputSpec = {
  label: 'Input length',
  name: 'input_length',
  type: 'Integer',
  optional: true,
  kind: 'param'
};
const shape: InputSpec = { label: 'Shape', name: 'shape', type: 'Integer', multiplicity: 'n', kind: 'param' };
const act: InputSpec = {
  label: 'Activation',
  name: 'activation',
  type: 'String',
  choices: ['relu', 'softmax'],
  kind: 'param'
};
const flag: InputSpec = { label: 'Mask zero', name: 'mask_zero', type: 'Boolean', kind: 'param' };

test('integers', () => {
  assert.deepEqual(parseParam(units, ' 3 '), { ok: true, value: 3 });
  const bad = parseParam(units, '3.5');
  assert.equal(bad.ok, false);
  assert.match((bad as any).error, /Units.*whole number/);
  assert.match((parseParam(units, '0') as any).error, /at least 1/);
  assert.equal(parseParam(units, '').ok, false);
});

test('floats with bounds', () => {
  assert.deepEqual(parseParam(rate, '0.25'), { ok: true, value: 0.25 });
  assert.deepEqual(parseParam(rate, '1e-3'), { ok: true, value: 0.001 });
  assert.match((parseParam(rate, '2') as any).error, /at most 1/);
  assert.match((parseParam(rate, 'abc') as any).error, /not a number/);
});

test('optional values can be cleared', () => {
  assert.deepEqual(parseParam(length, ''), { ok: true, value: null });
  assert.deepEqual(parseParam(length, null), { ok: true, value: null });
  assert.equal(parseParam(units, null).ok, false);
});

test('integer lists', () => {
  assert.deepEqual(parseParam(shape, '13'), { ok: true, value: [13] });
  assert.deepEqual(parseParam(shape, '20, 16'), { ok: true, value: [20, 16] });
  assert.deepEqual(parseParam(shape, '(28, 28, 1)'), { ok: true, value: [28, 28, 1] });
  assert.deepEqual(parseParam(shape, '[4 5]'), { ok: true, value: [4, 5] });
  assert.deepEqual(parseIntList(shape, ''), { ok: true, value: [] });
  assert.match((parseParam(shape, '13, x') as any).error, /"x" is not a whole number/);
});

test('choices and booleans', () => {
  assert.deepEqual(parseParam(act, 'softmax'), { ok: true, value: 'softmax' });
  assert.match((parseParam(act, 'nope') as any).error, /one of relu, softmax/);
  assert.deepEqual(parseParam(flag, true), { ok: true, value: true });
  assert.deepEqual(parseParam(flag, 'false'), { ok: true, value: false });
});

test('formatting values, shapes and counts', () => {
  assert.equal(formatValue(units, 3), '3');
  assert.equal(formatValue(units, null), '–');
  assert.equal(formatValue(flag, true), 'true');
  assert.equal(formatValue(shape, [20, 16]), '[20, 16]');
  assert.equal(formatNumber(0.1 + 0.2), '0.3');
  assert.equal(formatNumber(0.00001), '1e-5');
  assert.equal(valueToText(shape, [20, 16]), '20, 16');
  assert.equal(valueToText(length, null), '');
  assert.equal(formatShape([null, 20, 16]), '(None, 20, 16)');
  assert.equal(formatShape([null]), '(None,)');
  assert.equal(formatShape('(None, 3)'), '(None, 3)');
  assert.equal(formatShape(null), '');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(42), '42');
  assert.equal(formatCount(null), '');
});

test('a list of known length takes one number for all, or exactly that many', () => {
  const kernel: InputSpec = {
    label: 'Kernel size',
    name: 'kernel_size',
    type: 'Integer',
    multiplicity: 'n',
    length: 2,
    minimum: 1,
    kind: 'param'
  };
  assert.deepEqual(parseParam(kernel, '3'), { ok: true, value: [3, 3] });
  assert.deepEqual(parseParam(kernel, '3, 5'), { ok: true, value: [3, 5] });
  const bad = parseParam(kernel, '3, 5, 7');
  assert.equal(bad.ok, false);
  assert.match((bad as any).error, /Kernel size takes 2 whole numbers; received 3/);
});
