import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { categoryLabel, groupCatalog, searchCatalog } from '../src/palette';
import { DENSE, EMBEDDING, INPUT, realCatalog } from './fixtures';
import { CardSpec } from '../src/types';

const GLOROT: CardSpec = {
  id: 'initializer_GlorotNormal',
  title: 'Glorot normal initializer',
  category: ['Initializers'],
  inputs: [],
  outputs: []
};
const CONV: CardSpec = {
  id: 'layer_Conv2D',
  title: 'Conv2D layer',
  category: ['Layers', 'Convolution layers'],
  keras_class: 'Conv2D',
  inputs: [],
  outputs: []
};
const OUTPUT: CardSpec = { id: 'output', title: 'Output', category: [], role: 'output', inputs: [], outputs: [] };

test('"emb" finds the Embedding layer first', () => {
  const r = searchCatalog([DENSE, EMBEDDING, INPUT, GLOROT], 'emb');
  assert.equal(r[0].id, 'layer_Embedding');
  assert.equal(r.length, 1);
});

test('search matches ids, Keras classes and categories; every word must match', () => {
  assert.deepEqual(
    searchCatalog([DENSE, CONV, GLOROT], 'conv2d').map(c => c.id),
    ['layer_Conv2D']
  );
  assert.deepEqual(
    searchCatalog([DENSE, CONV, GLOROT], 'initializers').map(c => c.id),
    ['initializer_GlorotNormal']
  );
  assert.deepEqual(
    searchCatalog([DENSE, CONV, GLOROT], 'glorot normal').map(c => c.id),
    ['initializer_GlorotNormal']
  );
  assert.deepEqual(searchCatalog([DENSE, CONV], 'zzz'), []);
  assert.equal(searchCatalog([DENSE, CONV], '  ').length, 2);
});

test('groups: inputs and outputs first, then layers, sub-categories, initializers', () => {
  const g = groupCatalog([GLOROT, CONV, DENSE, OUTPUT, INPUT]);
  assert.deepEqual(
    g.map(x => x.label),
    ['Inputs & outputs', 'Layers', 'Layers › Convolution layers', 'Initializers']
  );
  assert.deepEqual(
    g[0].cards.map(c => c.id),
    ['input', 'output']
  );
  assert.equal(categoryLabel(['Layers', 'Merge layers']), 'Layers › Merge layers');
});

test('the real catalogue: every card is in exactly one group, and emb finds Embedding', () => {
  const cards = realCatalog();
  const groups = groupCatalog(cards);
  const n = groups.reduce((s, g) => s + g.cards.length, 0);
  assert.equal(n, cards.length);
  assert.equal(searchCatalog(cards, 'emb')[0].id, 'layer_Embedding');
  assert.equal(searchCatalog(cards, 'dense')[0].id, 'layer_Dense');
});
