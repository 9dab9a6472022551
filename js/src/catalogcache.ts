/**
 * The card catalogue, once per page: editors do not carry it in their state
 * (a notebook saved with widget state would hold it once per editor). The
 * view asks the kernel for it with a `catalog` request and keeps it here by
 * the editor's `catalog_version`, so later editors of the page reuse it. The
 * last catalogue is also kept in the browser's localStorage, so that a view
 * saved with the notebook and shown without a kernel still draws its cards.
 * The catalogue is the package's alone: card kinds made in the kernel (custom
 * layers, nested models) are not in it and do not change its version; they come
 * with each editor's `card_specs`.
 */

import { CardSpec } from './types';

const STORAGE_KEY = 'nncards-widget:catalog';
const pageCache = new Map<string, Promise<CardSpec[]>>();

function stored(version: string): CardSpec[] | null {
  try {
    const text = window.localStorage.getItem(STORAGE_KEY);
    const saved = text ? JSON.parse(text) : null;
    return saved && saved.version === version && Array.isArray(saved.cards) ? saved.cards : null;
  } catch {
    return null; // no storage (private mode, quota, a sandboxed frame): ask the kernel
  }
}

function store(version: string, cards: CardSpec[]): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ version, cards }));
  } catch {
    /* the page cache still holds it */
  }
}

/**
 * The catalogue of `version`: from this page, the browser's storage, or (the
 * first time) `fetch` (the kernel). With no kernel to ask, `fetch` is null and
 * the result is null when no copy is at hand.
 */
export function catalogFor(version: string, fetch: (() => Promise<CardSpec[]>) | null): Promise<CardSpec[] | null> {
  const known = pageCache.get(version);
  if (known) {
    return known;
  }
  const saved = stored(version);
  if (saved) {
    const p = Promise.resolve(saved);
    pageCache.set(version, p);
    return p;
  }
  if (!fetch) {
    return Promise.resolve(null);
  }
  const p = fetch().then(cards => {
    store(version, cards);
    return cards;
  });
  pageCache.set(version, p);
  p.catch(() => pageCache.delete(version));
  return p;
}
