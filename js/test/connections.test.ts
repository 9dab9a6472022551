import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { connectionsOf, layerUsersOf, sameSet } from '../src/connections';
import { LAYER, TENSOR } from '../src/types';

const wire = (source: string, source_port: string, target: string, target_port: string, port_type = TENSOR) => ({
  source,
  source_port,
  target,
  target_port,
  port_type
});

test('connected ports per card', () => {
  const c = connectionsOf([wire('x', 'output', 'd', 'input'), wire('d', 'output', 'o', 'input')]);
  assert.deepEqual([...c.get('d')!].sort(), ['in:input', 'out:output']);
  assert.deepEqual([...c.get('x')!], ['out:output']);
  assert.equal(c.get('nobody'), undefined);
});

test('a layer used only inside a wrapper is reported with its wrapper', () => {
  const wires = [
    wire('x', 'output', 'bi', 'input'),
    wire('lstm', 'layer_instance', 'bi', 'layer', LAYER),
    wire('dense', 'layer_instance', 'td', 'layer', LAYER),
    wire('dense', 'output', 'o', 'input')
  ];
  const users = layerUsersOf(wires);
  assert.equal(users.get('lstm'), 'bi');
  // a layer that also gives a tensor output is used on its own too
  assert.equal(users.has('dense'), false);
  assert.equal(users.has('x'), false);
});

test('sameSet treats a missing set as empty', () => {
  assert.ok(sameSet(undefined, new Set()));
  assert.ok(sameSet(new Set(['a', 'b']), new Set(['b', 'a'])));
  assert.ok(!sameSet(new Set(['a']), new Set(['b'])));
  assert.ok(!sameSet(undefined, new Set(['a'])));
});
