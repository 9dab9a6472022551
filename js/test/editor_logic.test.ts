import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { keyAction } from '../src/keys';
import { historyButtons, readHistory, undoStateOf } from '../src/history';
import { cacheSupported, FaceCache } from '../src/facecache';
import { svgDataUri } from '../src/cardsvg';
import { CARD, cardConstants } from '../src/geometry';

const key = (k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean } = {}) => ({
  key: k,
  ctrlKey: !!mods.ctrl,
  metaKey: !!mods.meta,
  shiftKey: !!mods.shift
});

test('keyboard: undo, redo (both ways), delete, select all, escape', () => {
  assert.equal(keyAction(key('z', { ctrl: true })), 'undo');
  assert.equal(keyAction(key('z', { meta: true })), 'undo');
  assert.equal(keyAction(key('Z', { ctrl: true, shift: true })), 'redo');
  assert.equal(keyAction(key('y', { ctrl: true })), 'redo');
  assert.equal(keyAction(key('Delete')), 'delete');
  assert.equal(keyAction(key('Backspace')), 'delete');
  assert.equal(keyAction(key('a', { ctrl: true })), 'selectAll');
  assert.equal(keyAction(key('Escape')), 'unselect');
  assert.equal(keyAction(key('z')), null);
  assert.equal(keyAction(key('a')), null);
});

test('undo/redo buttons follow the kernel history', () => {
  const h = readHistory({ undo: "Add Dense layer 'dense'", redo: '', undo_count: 3, redo_count: 0 });
  const b = historyButtons(h);
  assert.equal(b.undo.enabled, true);
  assert.equal(b.undo.title, "Undo Add Dense layer 'dense' (Ctrl+Z)");
  assert.equal(b.redo.enabled, false);
  assert.equal(b.redo.title, 'Redo (Ctrl+Shift+Z)');
  // no history trait yet (or an older kernel): both disabled
  const none = historyButtons(readHistory(undefined));
  assert.equal(none.undo.enabled, false);
  assert.equal(none.redo.enabled, false);
});

test("the face cache uses cytoscape's image cache only on versions it was checked with", () => {
  const renderer = { getCachedImage: () => null };
  assert.equal(cacheSupported('3.21.0', renderer), true);
  assert.equal(cacheSupported('3.33.1', renderer), true);
  assert.equal(cacheSupported('4.0.0', renderer), false);
  assert.equal(cacheSupported('3.21.0', {}), false);
  assert.equal(cacheSupported(undefined, renderer), false);
});

test('card geometry comes from geometry.json, every constant a number', () => {
  assert.equal(typeof CARD.rowHeight, 'number');
  assert.ok(CARD.maxWidth > CARD.minWidth);
  assert.throws(() => cardConstants({ ...CARD, rowHeight: '20' }), /geometry.json: 'rowHeight' must be a number/);
  const missing: Record<string, unknown> = { ...CARD };
  delete missing.headerHeight;
  assert.throws(() => cardConstants(missing), /'headerHeight' must be a number; received undefined/);
});

test('faces go into the image cache under short keys, or as data URIs where that cache is unknown', () => {
  const renderer: any = { getCachedImage: () => null };
  const faces = new FaceCache(renderer, '3.21.0', 'v1');
  const key = faces.add('<svg/>');
  assert.match(key, /^data:image\/svg\+xml;nncards=v1-\d+,$/);
  assert.ok(key in renderer.imageCache);
  assert.notEqual(faces.add('<svg/>'), key); // every face its own key
  faces.drop(key);
  assert.ok(!(key in renderer.imageCache));

  const unknown: any = { getCachedImage: () => null };
  const plain = new FaceCache(unknown, '4.0.0', 'v2');
  assert.equal(plain.add('<svg/>'), svgDataUri('<svg/>'));
  assert.equal(unknown.imageCache, undefined); // cytoscape's private cache left alone
});

test("the undo state is read from the editor's undo_state trait, or history from an older kernel", () => {
  const model = (traits: Record<string, unknown>) => ({ get: (name: string) => traits[name] });
  const state = { undo: "Move 'dense'", redo: '', undo_count: 2, redo_count: 0 };
  assert.deepEqual(undoStateOf(model({ undo_state: state, history: { loss: [1] } })), state);
  assert.deepEqual(undoStateOf(model({ history: state })), state);
  assert.equal(undoStateOf(model({})).undo_count, 0);
});
