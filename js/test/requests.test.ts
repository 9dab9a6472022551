import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RequestClient, RequestError } from '../src/requests';
import { cardSvg, escapeXml, svgDataUri } from '../src/cardsvg';
import { layoutCard } from '../src/geometry';
import { DENSE } from './fixtures';

test('requests get ids and are resolved by matching replies only', async () => {
  const sent: any[] = [];
  const client = new RequestClient(m => sent.push(m), 0, 10);
  const p = client.request({ type: 'add', card_id: 'layer_Dense' });
  assert.equal(sent[0].request_id, 10);
  assert.equal(sent[0].type, 'add');
  assert.equal(client.handleMessage({ type: 'reply', request_id: 99, ok: true }), false);
  assert.equal(client.handleMessage({ type: 'something' }), false);
  assert.equal(client.handleMessage({ type: 'reply', request_id: 10, ok: true, result: { uid: 'u1' } }), true);
  const r = await p;
  assert.equal(r.result.uid, 'u1');
  assert.equal(client.pendingCount, 0);
});

test('call() throws the kernel reason on refusal', async () => {
  const client = new RequestClient(m => {
    setTimeout(
      () => client.handleMessage({ type: 'reply', request_id: m.request_id, ok: false, error: 'Cannot connect' }),
      0
    );
  }, 0);
  await assert.rejects(
    () => client.call({ type: 'connect', source: 'a', target: 'b' }),
    (e: any) => e instanceof RequestError && e.message === 'Cannot connect'
  );
});

test('a request with no answer times out with a readable error', async () => {
  const client = new RequestClient(() => {}, 20);
  const r = await client.request({ type: 'move', positions: {} });
  assert.equal(r.ok, false);
  assert.match(r.error!, /did not answer/);
});

test('card face SVG: escaped text, ports drawn, data URI', () => {
  const g = layoutCard(DENSE, { values: { units: 3 }, footer: '(None, 3)', expanded: true });
  const svg = cardSvg(DENSE, g, {
    title: 'Dense <layer>',
    subtitle: 'dense',
    shape: '(None, 3)',
    params: '42 params',
    connected: new Set(['in:input'])
  });
  assert.ok(svg.startsWith('<svg'));
  assert.ok(svg.includes('Dense &lt;layer&gt;'));
  assert.ok(svg.includes('(None, 3)'));
  assert.equal((svg.match(/<circle/g) || []).length, 4); // 2 outputs + 2 input ports
  assert.ok(svg.includes(`width="${g.width}"`));
  assert.equal(escapeXml(`a&"'`), 'a&amp;&quot;&apos;');
  assert.ok(svgDataUri(svg).startsWith('data:image/svg+xml;utf8,%3Csvg'));
  const err = cardSvg(DENSE, g, { title: 'Dense', error: 'bad' });
  assert.ok(err.includes('#d32f2f'));
});
