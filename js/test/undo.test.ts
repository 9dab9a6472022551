import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  UndoStack,
  addEntry,
  connectEntry,
  moveEntry,
  removeEntry,
  setParamEntry
} from '../src/undo';

/** A tiny fake kernel: a set of cards and wires answering the protocol's requests. */
function fakeKernel() {
  const cards = new Map<string, any>();
  const wires = new Map<string, any>();
  const log: any[] = [];
  let n = 0;
  const call = async (req: any): Promise<any> => {
    log.push(req);
    switch (req.type) {
      case 'add': {
        const uid = `c${++n}`;
        cards.set(uid, { uid, card_id: req.card_id, params: { ...(req.params || {}) }, position: req.position });
        return { uid };
      }
      case 'remove': {
        const rc = req.cards.map((u: string) => cards.get(u)).filter(Boolean);
        const rw = [...wires.values()].filter(
          w => req.wires.includes(w.id) || req.cards.includes(w.source) || req.cards.includes(w.target)
        );
        rc.forEach((c: any) => cards.delete(c.uid));
        rw.forEach(w => wires.delete(w.id));
        return { removed: { cards: rc, wires: rw } };
      }
      case 'restore':
        req.cards.forEach((c: any) => cards.set(c.uid, c));
        req.wires.forEach((w: any) => wires.set(w.id, w));
        return {};
      case 'connect': {
        if (!cards.has(req.source) || !cards.has(req.target)) {
          throw new Error('no such card');
        }
        const w = { id: `w${++n}`, source: req.source, target: req.target, source_port: req.source_port, target_port: req.target_port };
        wires.set(w.id, w);
        return { wire: w };
      }
      case 'disconnect': {
        const w = wires.get(req.wire);
        if (!w) {
          throw new Error('no such wire');
        }
        wires.delete(req.wire);
        return { wire: w };
      }
      case 'set_param': {
        const c = cards.get(req.uid);
        const old = c.params[req.name];
        c.params[req.name] = req.value;
        return { old };
      }
      case 'move': {
        const old: any = {};
        for (const [u, p] of Object.entries(req.positions)) {
          old[u] = cards.get(u).position;
          cards.get(u).position = p;
        }
        return { old };
      }
    }
    throw new Error('unknown ' + req.type);
  };
  return { cards, wires, log, call };
}

test('add, connect, edit, move, remove: undo all then redo all', async () => {
  const k = fakeKernel();
  const stack = new UndoStack();
  const a = (await k.call({ type: 'add', card_id: 'input', position: { x: 0, y: 0 } })).uid;
  stack.push(addEntry(k.call, a));
  const b = (await k.call({ type: 'add', card_id: 'layer_Dense' })).uid;
  stack.push(addEntry(k.call, b));
  const w = (await k.call({ type: 'connect', source: a, source_port: 'output', target: b, target_port: 'input' })).wire;
  stack.push(connectEntry(k.call, w));
  const old = (await k.call({ type: 'set_param', uid: b, name: 'units', value: 3 })).old;
  stack.push(setParamEntry(k.call, b, 'units', old, 3));
  await k.call({ type: 'move', positions: { [b]: { x: 300, y: 0 } } });
  stack.push(moveEntry(k.call, { [b]: { x: 0, y: 0 } }, { [b]: { x: 300, y: 0 } }));
  const removed = (await k.call({ type: 'remove', cards: [a], wires: [] })).removed;
  stack.push(removeEntry(k.call, removed));
  assert.equal(k.cards.size, 1);
  assert.equal(k.wires.size, 0);
  assert.deepEqual(stack.sizes, { undo: 6, redo: 0 });

  // undo the delete: card a and its wire come back with the same ids
  assert.equal(await stack.undo(), true);
  assert.ok(k.cards.has(a));
  assert.ok(k.wires.has(w.id));
  await stack.undo(); // move
  assert.deepEqual(k.cards.get(b).position, { x: 0, y: 0 });
  await stack.undo(); // edit
  assert.equal(k.cards.get(b).params.units, undefined);
  await stack.undo(); // connect
  assert.equal(k.wires.size, 0);
  await stack.undo(); // add b
  await stack.undo(); // add a
  assert.equal(k.cards.size, 0);
  assert.equal(await stack.undo(), false);
  assert.deepEqual(stack.sizes, { undo: 0, redo: 6 });

  for (let i = 0; i < 6; i++) {
    assert.equal(await stack.redo(), true);
  }
  assert.deepEqual([...k.cards.keys()], [b]);
  assert.equal(k.cards.get(b).params.units, 3);
  assert.deepEqual(k.cards.get(b).position, { x: 300, y: 0 });
  assert.equal(await stack.redo(), false);
  // and undo again after redo still works (delete -> restore keeps ids)
  await stack.undo();
  assert.ok(k.cards.has(a) && k.wires.has(w.id));
});

test('a new action clears the redo list', async () => {
  const k = fakeKernel();
  const stack = new UndoStack();
  const a = (await k.call({ type: 'add', card_id: 'x' })).uid;
  stack.push(addEntry(k.call, a));
  await stack.undo();
  assert.equal(stack.canRedo, true);
  const b = (await k.call({ type: 'add', card_id: 'y' })).uid;
  stack.push(addEntry(k.call, b));
  assert.equal(stack.canRedo, false);
  assert.equal(stack.undoLabel, 'add card');
});

test('a refused undo leaves the stack as it was', async () => {
  const k = fakeKernel();
  const stack = new UndoStack();
  stack.push(connectEntry(k.call, { id: 'missing' }));
  await assert.rejects(() => stack.undo(), /no such wire/);
  assert.deepEqual(stack.sizes, { undo: 1, redo: 0 });
  assert.equal(stack.canUndo, true);
});

test('the stack is bounded and reports changes', async () => {
  const stack = new UndoStack(3);
  let changes = 0;
  stack.onChange = () => changes++;
  const noop = { label: 'x', undo: async () => {}, redo: async () => {} };
  for (let i = 0; i < 5; i++) {
    stack.push({ ...noop, label: `x${i}` });
  }
  assert.deepEqual(stack.sizes, { undo: 3, redo: 0 });
  assert.equal(stack.undoLabel, 'x4');
  assert.equal(changes, 5);
});

test('undo pressed twice quickly undoes two steps, in order', async () => {
  const k = fakeKernel();
  const stack = new UndoStack();
  const a = (await k.call({ type: 'add', card_id: 'x' })).uid;
  stack.push(addEntry(k.call, a));
  const b = (await k.call({ type: 'add', card_id: 'y' })).uid;
  stack.push(addEntry(k.call, b));
  const [r1, r2, r3] = await Promise.all([stack.undo(), stack.undo(), stack.undo()]);
  assert.deepEqual([r1, r2, r3], [true, true, false]);
  assert.equal(k.cards.size, 0);
  const removes = k.log.filter(r => r.type === 'remove').map(r => r.cards[0]);
  assert.deepEqual(removes, [b, a]);
  await Promise.all([stack.redo(), stack.redo()]);
  assert.deepEqual([...k.cards.keys()].sort(), [a, b].sort());
});
