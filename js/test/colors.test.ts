import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { categoryColor, hslToHex, knownTypes, tint, typeColor, typeShortName } from '../src/colors';

test('wire types have distinct colours', () => {
  const types = [
    'NeuralNetworkTensor',
    'NeuralNetworkLayer',
    'NeuralNetworkInitializer',
    'NeuralNetworkRegularizer',
    'NeuralNetworkConstraint'
  ];
  const colours = types.map(typeColor);
  assert.equal(new Set(colours).size, types.length);
  for (const c of colours) {
    assert.match(c, /^#[0-9a-f]{6}$/);
  }
  for (const t of types) {
    assert.ok(knownTypes().includes(t));
  }
});

test('unknown types get a stable valid colour', () => {
  assert.equal(typeColor('SomethingNew'), typeColor('SomethingNew'));
  assert.match(typeColor('SomethingNew'), /^#[0-9a-f]{6}$/);
  assert.notEqual(typeColor('SomethingNew'), typeColor('SomethingElse'));
});

test('helpers', () => {
  assert.equal(typeShortName('NeuralNetworkInitializer'), 'Initializer');
  assert.equal(typeShortName('Integer'), 'Integer');
  assert.equal(hslToHex(0, 1, 0.5), '#ff0000');
  assert.equal(tint('#000000', 1), '#ffffff');
  assert.equal(tint('#102030', 0), '#102030');
  assert.notEqual(categoryColor(['Layers']), categoryColor(['Initializers']));
  assert.match(categoryColor([]), /^#/);
});
