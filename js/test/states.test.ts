import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { applyStates, isStatesMessage, StatefulModel } from '../src/states';

class FakeModel implements StatefulModel {
  state_change: Promise<any> = Promise.resolve();
  log: string[] = [];
  attrs: Record<string, unknown> = {};
  set_state(state: Record<string, unknown>): void {
    Object.assign(this.attrs, state);
    this.log.push(JSON.stringify(state));
  }
}

test('a states message sets each model after the updates already queued for it', async () => {
  const a = new FakeModel();
  const b = new FakeModel();
  let release: () => void = () => undefined;
  // an earlier update of a, still being deserialized
  a.state_change = new Promise<void>(r => (release = r)).then(() => a.set_state({ output_shape: '(None, 4)' }));
  const models: Record<string, FakeModel> = { a, b };
  const msg = {
    type: 'states',
    states: { a: { output_shape: '(None, 5)' }, b: { shape: '(None, 5)' }, gone: { shape: '' } }
  };
  assert.ok(isStatesMessage(msg) && !isStatesMessage({ type: 'reply' }));
  const done = applyStates(async id => {
    if (!(id in models)) {
      throw new Error('widget model not found');
    }
    return models[id];
  }, msg.states);
  release();
  await done;
  assert.deepEqual(a.log, ['{"output_shape":"(None, 4)"}', '{"output_shape":"(None, 5)"}']);
  assert.equal(a.attrs.output_shape, '(None, 5)');
  assert.deepEqual(b.attrs, { shape: '(None, 5)' });
});
