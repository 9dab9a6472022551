import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readOnlyNote, restoreOffer } from '../src/persistence';
import { catalogFor } from '../src/catalogcache';
import { DENSE } from './fixtures';

test('the restore offer counts the saved cards, and is not made for an empty or odd graph', () => {
  assert.equal(
    restoreOffer({ cards: [{}, {}, {}], wires: [] }),
    'Restore the network saved in this notebook (3 cards)'
  );
  assert.equal(restoreOffer({ cards: [{}] }), 'Restore the network saved in this notebook (1 card)');
  assert.equal(restoreOffer({ cards: [] }), null);
  assert.equal(restoreOffer({ cards: 'x' }), null);
  assert.equal(restoreOffer(null), null);
  assert.equal(restoreOffer('a string'), null);
});

test('a view that lost its kernel and a saved snapshot say different things', () => {
  assert.match(readOnlyNote('restarted').title, /Kernel restarted — run the cell again/);
  assert.match(readOnlyNote('stopped').title, /Kernel stopped/);
  assert.match(readOnlyNote('snapshot').title, /Read-only/);
  assert.notEqual(readOnlyNote('restarted').detail, readOnlyNote('snapshot').detail);
});

test('the catalogue is fetched once per version and page; a failed fetch is tried again', async () => {
  let calls = 0;
  const fetch = (): Promise<any[]> => {
    calls++;
    return Promise.resolve([DENSE]);
  };
  const a = await catalogFor('v-test-1', fetch);
  const b = await catalogFor('v-test-1', fetch);
  assert.equal(calls, 1);
  assert.deepEqual(a, [DENSE]);
  assert.equal(a, b);
  await catalogFor('v-test-2', fetch);
  assert.equal(calls, 2);
  // no kernel to ask and no copy at hand
  assert.equal(await catalogFor('v-test-3', null), null);
  // a refused request is not cached
  let fail = true;
  const flaky = (): Promise<any[]> => (fail ? Promise.reject(new Error('no kernel')) : Promise.resolve([DENSE]));
  await assert.rejects(catalogFor('v-test-4', flaky), /no kernel/);
  fail = false;
  assert.deepEqual(await catalogFor('v-test-4', flaky), [DENSE]);
});
