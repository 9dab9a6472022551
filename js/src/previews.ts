/**
 * Inspection previews made when they are seen. After `ed.inspect(sample)` the kernel
 * gives every card a pending preview (shape, dtype, kind and `pending: true`;
 * docs/protocol.md, "Live shapes and inspection") and makes the statistics and
 * pictures only of the cards a view asks for. This asks, in one `previews` request,
 * for the pending cards a view shows: on screen and the selected ones (the
 * inspector's). Drawn far out (named boxes, no faces), the cards on screen are
 * asked for only when there are at most FAR_LIMIT of them (one zoom step shows
 * their faces); a large network seen from far makes no previews. It looks again,
 * at most every ASK_DELAY ms, after the view moves, the selection changes or a
 * card changes.
 */

import type { PreviewsRequest, Reply } from './protocol';

/** How long after a pan, zoom, selection or card change the view looks for pending previews. */
export const ASK_DELAY = 80;
/** Drawn far out, the pending cards on screen are asked for when there are at most this many. */
export const FAR_LIMIT = 50;

/** A preview the kernel has not made yet (only shape, dtype and kind). */
export function isPending(p: unknown): boolean {
  return !!p && typeof p === 'object' && (p as { pending?: unknown }).pending === true;
}

/** What the asker reads of a card. */
export interface SeenCard {
  uid: string;
  model: { get(key: string): any };
}

/**
 * The cards to ask for: those shown whose preview is pending and was not asked for
 * already (`asked` holds the pending previews asked for; a new inspection sends new ones).
 */
export function toAsk<C extends SeenCard>(cards: Iterable<C>, shown: (c: C) => boolean, asked: WeakSet<object>): C[] {
  const out: C[] = [];
  for (const c of cards) {
    const pv = c.model.get('preview');
    if (isPending(pv) && !asked.has(pv) && shown(c)) {
      out.push(c);
    }
  }
  return out;
}

export interface PreviewAskerHost<C extends SeenCard> {
  /** The cards on the canvas. */
  cards(): Iterable<C>;
  /** The card's box meets the view. */
  onScreen(card: C): boolean;
  /** The card is selected (the inspector shows it). */
  selected(card: C): boolean;
  /** The cards are drawn far out (named boxes without faces). */
  far(): boolean;
  /** The kernel can answer (the model's comm is live). */
  live(): boolean;
  request(req: PreviewsRequest): Promise<Reply>;
}

export class PreviewAsker<C extends SeenCard> {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private asked = new WeakSet<object>();

  constructor(private host: PreviewAskerHost<C>) {}

  /** Look for pending previews to ask for soon (calls within ASK_DELAY make one look). */
  schedule(): void {
    if (this.timer !== null) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ask();
    }, ASK_DELAY);
  }

  /** Ask now for the pending previews of the cards shown; resolves with the uids asked for. */
  ask(): Promise<string[]> {
    const h = this.host;
    if (!h.live()) {
      return Promise.resolve([]);
    }
    let cards = toAsk(h.cards(), c => h.selected(c) || h.onScreen(c), this.asked);
    if (h.far() && cards.length > FAR_LIMIT) {
      cards = cards.filter(c => h.selected(c));
    }
    if (!cards.length) {
      return Promise.resolve([]);
    }
    for (const c of cards) {
      this.asked.add(c.model.get('preview'));
    }
    const uids = cards.map(c => c.uid);
    return h.request({ type: 'previews', cards: uids }).then(() => uids);
  }

  dispose(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }
}
