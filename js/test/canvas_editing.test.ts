import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { clipOf, pasteRequest, randomId, uniqueName } from '../src/clipboard';
import { isJupyterKey, keyAction } from '../src/keys';
import { cardsForWire, findCards } from '../src/palette';
import { pendingNote } from '../src/format';
import { sharedColor } from '../src/colors';
import { networkSvg, wirePath } from '../src/picture';
import { TENSOR } from '../src/types';
import { DENSE, INPUT } from './fixtures';

const press = (key: string, mods: { ctrl?: boolean; shift?: boolean; alt?: boolean; meta?: boolean } = {}) => ({
  key,
  ctrlKey: !!mods.ctrl,
  metaKey: !!mods.meta,
  shiftKey: !!mods.shift,
  altKey: !!mods.alt
});

test("Jupyter's keys are let through; the canvas keeps its own", () => {
  for (const k of [press('s', { ctrl: true }), press('s', { meta: true }), press('Enter', { shift: true })]) {
    assert.ok(isJupyterKey(k), k.key);
  }
  assert.ok(isJupyterKey(press('Enter', { ctrl: true })));
  assert.ok(isJupyterKey(press('Escape')));
  for (const k of [press('Delete'), press('z', { ctrl: true }), press('c', { ctrl: true }), press('ArrowLeft')]) {
    assert.ok(!isJupyterKey(k), k.key);
  }
  assert.ok(!isJupyterKey(press('Enter')));
  assert.equal(keyAction(press('c', { ctrl: true })), 'copy');
  assert.equal(keyAction(press('v', { meta: true })), 'paste');
  assert.equal(keyAction(press('d', { ctrl: true })), 'duplicate');
  assert.equal(keyAction(press('f', { ctrl: true })), 'find');
  assert.equal(keyAction(press('Tab')), 'quickAdd');
  assert.equal(keyAction(press(' ')), 'quickAdd');
  assert.equal(keyAction(press('ArrowUp')), 'up');
  assert.equal(keyAction(press('ArrowRight', { shift: true })), 'right');
  assert.equal(keyAction(press('x')), null);
});

test('names of pasted cards are made unique', () => {
  assert.equal(uniqueName('dense', new Set(['input'])), 'dense');
  assert.equal(uniqueName('dense', new Set(['dense'])), 'dense_1');
  assert.equal(uniqueName('dense', new Set(['dense', 'dense_1'])), 'dense_2');
  assert.equal(uniqueName('dense_4', new Set(['dense_4'])), 'dense_5');
  assert.match(randomId('card'), /^card-[0-9a-f]{8}$/);
});

test('a clip keeps only the wires inside the selection and pastes with new ids, names and places', () => {
  const cards = [
    { uid: 'a', card_id: 'input', name: 'x', params: { shape: [13] }, position: { x: 0, y: 0 } },
    { uid: 'b', card_id: 'layer_Dense', name: 'dense', params: { units: 3 }, position: { x: 300, y: 20 } }
  ];
  const wires = [
    { source: 'a', source_port: 'data', target: 'b', target_port: 'input' },
    { source: 'b', source_port: 'output', target: 'c', target_port: 'data' }
  ];
  const clip = clipOf(cards, wires);
  assert.equal(clip.wires.length, 1);
  let n = 0;
  const req = pasteRequest(clip, new Set(['x', 'dense', 'y']), null, p => `${p}-${++n}`);
  assert.equal(req.type, 'restore');
  assert.deepEqual(
    req.cards!.map(c => [c.uid, c.name, c.position]),
    [
      ['card-1', 'x_1', { x: 40, y: 40 }],
      ['card-2', 'dense_1', { x: 340, y: 60 }]
    ]
  );
  assert.deepEqual(req.wires, [
    { id: 'wire-3', source: 'card-1', source_port: 'data', target: 'card-2', target_port: 'input' }
  ]);
  // the copy's parameters are its own objects
  (req.cards![0].params as any).shape.push(1);
  assert.deepEqual(cards[0].params.shape, [13]);
  assert.deepEqual(clip.cards[0].params.shape, [13]);
  // pasted at a point: the top-left card goes there
  const at = pasteRequest(clip, new Set(), { x: 1000, y: 500 }, p => p);
  assert.deepEqual(
    at.cards!.map(c => c.position),
    [
      { x: 1000, y: 500 },
      { x: 1300, y: 520 }
    ]
  );
  assert.ok(!('wires' in pasteRequest(clipOf(cards.slice(0, 1), wires), new Set(), null)));
});

test('find matches names first, then kinds', () => {
  const cards = [
    { uid: '1', name: 'dense_1', title: 'Dense layer', keras_class: 'Dense' },
    { uid: '2', name: 'features', title: 'Input' },
    { uid: '3', name: 'hidden', title: 'Dense layer', keras_class: 'Dense' },
    { uid: '4', name: 'my_dense', title: 'Dropout layer', keras_class: 'Dropout' }
  ];
  assert.deepEqual(
    findCards(cards, 'dense').map(c => c.uid),
    ['1', '4', '3']
  );
  assert.deepEqual(
    findCards(cards, 'FEAT').map(c => c.uid),
    ['2']
  );
  assert.equal(findCards(cards, '').length, 4);
  assert.equal(findCards(cards, 'conv').length, 0);
});

test('a wire dropped on the canvas is offered the cards that can take it', () => {
  const fromOutput = cardsForWire([DENSE, INPUT], TENSOR, 'output');
  assert.deepEqual(
    fromOutput.map(o => [o.spec.id, o.port]),
    [['layer_Dense', 'input']]
  );
  const fromInput = cardsForWire([DENSE, INPUT], TENSOR, 'input');
  assert.deepEqual(
    fromInput.map(o => o.spec.id),
    ['layer_Dense', 'input']
  );
  assert.deepEqual(
    cardsForWire([DENSE, INPUT], 'NeuralNetworkInitializer', 'output').map(o => o.port),
    ['kernel_initializer']
  );
});

test('an unfinished card gets a neutral note, a real error stays an error', () => {
  assert.equal(
    pendingNote(
      "The card 'dropout' (Dropout layer) has nothing connected to its input 'Input': connect a Tensor output to it."
    ),
    'not connected yet'
  );
  assert.equal(
    pendingNote("The card 'dense' (Dense layer) needs a value for parameter 'Units' (units): an integer (>= 1)."),
    'needs Units'
  );
  assert.equal(pendingNote("The card 'dense' cannot be applied to its input: (None, 3, 4). Keras says: ..."), null);
  assert.equal(pendingNote(''), null);
});

test('cards sharing one layer get one colour per group', () => {
  assert.equal(sharedColor(['enc', 'enc_b']), sharedColor(['enc_b', 'enc']));
  assert.notEqual(sharedColor(['enc', 'enc_b']), sharedColor(['dec', 'dec_b']));
  assert.match(sharedColor(['a']), /^#[0-9a-f]{6}$/);
});

test('the network picture places every face and draws every wire', () => {
  const cards = [
    {
      x: 0,
      y: 0,
      width: 100,
      height: 50,
      svg: '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"></svg>'
    },
    {
      x: 300,
      y: 100,
      width: 120,
      height: 60,
      svg: '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"></svg>'
    }
  ];
  const wire = {
    start: { x: 95, y: 20 },
    controls: [
      { x: 200, y: 20 },
      { x: 250, y: 130 }
    ],
    end: { x: 305, y: 130 },
    color: '#2563eb'
  };
  const svg = networkSvg(cards, [wire], '#ffffff');
  assert.match(svg, /width="468" height="208" viewBox="-24 -24 468 208"/);
  assert.ok(svg.includes('<svg x="300" y="100" xmlns'));
  assert.equal((svg.match(/class="wire"/g) || []).length, 1);
  // through the midpoint of the two handles, ending on the target port
  assert.equal(wirePath(wire), 'M95,20 Q200,20 225,75 Q250,130 305,130');
  assert.ok(networkSvg([], [], '#fff').startsWith('<svg'));
});
