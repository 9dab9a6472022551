import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { FAR_LIMIT, isPending, PreviewAsker, SeenCard, toAsk } from '../src/previews';
import { previewLines } from '../src/format';
import type { PreviewsRequest, Reply } from '../src/protocol';

function card(uid: string, preview: unknown): SeenCard {
  return { uid, model: { get: (k: string) => (k === 'preview' ? preview : undefined) } };
}

const PENDING = () => ({ shape: [16, 8], dtype: 'float32', kind: 'histogram', pending: true });

test('a pending preview shows its shape and no statistics yet', () => {
  const { caption, stats } = previewLines(PENDING());
  assert.equal(caption, '(16, 8) · float32');
  assert.equal(stats, '…');
  assert.ok(isPending(PENDING()) && !isPending({ shape: [2], min: 0 }) && !isPending(null));
});

test('only the pending previews of cards shown are asked for', () => {
  const cards = [card('a', PENDING()), card('b', PENDING()), card('c', { shape: [2], min: 1 }), card('d', {})];
  const uids = (cs: SeenCard[]) => cs.map(c => c.uid);
  const asked = new WeakSet<object>();
  assert.deepEqual(uids(toAsk(cards, c => c.uid !== 'b', asked)), ['a']);
  asked.add(cards[0].model.get('preview'));
  assert.deepEqual(uids(toAsk(cards, () => true, asked)), ['b']); // a was asked for already
});

test('the asker sends one request for the cards shown, each once, none without a kernel', async () => {
  const sent: PreviewsRequest[] = [];
  let live = false;
  let far = false;
  let onScreen = (c: SeenCard) => c.uid !== 'x';
  const cards = [card('a', PENDING()), card('b', PENDING())];
  const asker = new PreviewAsker({
    cards: () => cards,
    onScreen: c => onScreen(c),
    selected: c => c.uid === 'sel',
    far: () => far,
    live: () => live,
    request: (req: PreviewsRequest): Promise<Reply> => {
      sent.push(req);
      return Promise.resolve({ type: 'reply', request_id: 1, ok: true, result: { made: req.cards.length } });
    }
  });
  assert.deepEqual(await asker.ask(), []);
  live = true;
  assert.deepEqual(await asker.ask(), ['a', 'b']);
  assert.deepEqual(sent, [{ type: 'previews', cards: ['a', 'b'] }]);
  assert.deepEqual(await asker.ask(), []); // each pending preview is asked for once
  cards[0] = card('a', PENDING()); // a new inspection: a new pending preview, asked for again
  assert.deepEqual(await asker.ask(), ['a']);
  // far out: the cards on screen only when they are few; the selected one always
  far = true;
  for (let i = 0; i < FAR_LIMIT + 1; i++) {
    cards.push(card(`c${i}`, PENDING()));
  }
  cards.push(card('sel', PENDING()), card('x', PENDING()));
  assert.deepEqual(await asker.ask(), ['sel']);
  cards.splice(2, FAR_LIMIT + 1);
  onScreen = () => true;
  assert.deepEqual(await asker.ask(), ['x']);
  asker.schedule();
  asker.dispose(); // a scheduled look goes with the view
  await new Promise(r => setTimeout(r, 120));
  assert.equal(sent.length, 4);
});
