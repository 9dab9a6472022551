/** Palette logic: grouping the catalogue by category and searching it. */

import { CardSpec, isParam } from './types';

export interface PaletteGroup {
  key: string;
  label: string;
  cards: CardSpec[];
}

const TOP_ORDER = ['', 'Layers', 'Layer wrappers', 'Initializers', 'Regularizers', 'Constraints'];

export function categoryLabel(category: string[] | undefined): string {
  if (!category || category.length === 0) {
    return 'Inputs & outputs';
  }
  return category.join(' › ');
}

function topRank(category: string[]): number {
  const i = TOP_ORDER.indexOf(category.length ? category[0] : '');
  return i < 0 ? TOP_ORDER.length : i;
}

/** Groups in a stable order: inputs/outputs, layers (core first), wrappers, initializers, ... */
export function groupCatalog(cards: CardSpec[]): PaletteGroup[] {
  const groups = new Map<string, PaletteGroup & { cat: string[] }>();
  for (const c of cards) {
    const cat = c.category || [];
    const key = cat.join('/');
    let g = groups.get(key);
    if (!g) {
      g = { key, label: categoryLabel(cat), cards: [], cat };
      groups.set(key, g);
    }
    g.cards.push(c);
  }
  const list = Array.from(groups.values());
  list.sort((a, b) => {
    const ra = topRank(a.cat);
    const rb = topRank(b.cat);
    if (ra !== rb) {
      return ra - rb;
    }
    if (a.cat.length !== b.cat.length) {
      return a.cat.length - b.cat.length;
    }
    return a.label.localeCompare(b.label);
  });
  for (const g of list) {
    g.cards.sort((a, b) => {
      // Input before Output; otherwise alphabetical by title
      if (g.cat.length === 0) {
        return roleRank(a) - roleRank(b) || a.title.localeCompare(b.title);
      }
      return a.title.localeCompare(b.title);
    });
  }
  return list.map(({ key, label, cards }) => ({ key, label, cards }));
}

function roleRank(c: CardSpec): number {
  const t = (c.role || c.id).toLowerCase();
  if (t.includes('input')) {
    return 0;
  }
  if (t.includes('output')) {
    return 1;
  }
  return 2;
}

/**
 * Cards matching a query, best first. Every word of the query must occur in the
 * title, id, Keras class or category; titles starting with the query rank first.
 */
export function searchCatalog(cards: CardSpec[], query: string): CardSpec[] {
  const q = query.trim().toLowerCase();
  if (!q) {
    return cards.slice();
  }
  const words = q.split(/\s+/);
  const scored: { c: CardSpec; s: number }[] = [];
  for (const c of cards) {
    const title = c.title.toLowerCase();
    const hay = [
      title,
      c.id.toLowerCase(),
      (c.keras_class || '').toLowerCase(),
      (c.category || []).join(' ').toLowerCase()
    ].join(' | ');
    if (!words.every(w => hay.includes(w))) {
      continue;
    }
    let s = 0;
    if (title.startsWith(q)) {
      s += 100;
    } else if ((c.keras_class || '').toLowerCase().startsWith(q)) {
      s += 80;
    } else if (title.split(/[\s\-()]+/).some(t => t.startsWith(words[0]))) {
      s += 50;
    } else if (title.includes(words[0])) {
      s += 20;
    }
    s -= title.length / 100;
    scored.push({ c, s });
  }
  scored.sort((a, b) => b.s - a.s || a.c.title.localeCompare(b.c.title));
  return scored.map(x => x.c);
}

/** A card on the canvas as "find" sees it. */
export interface NamedCard {
  uid: string;
  name: string;
  title: string;
  keras_class?: string | null;
}

/**
 * Cards on the canvas matching a query by name or kind (title, Keras class):
 * names starting with the query first, then names containing it, then kinds.
 */
export function findCards(cards: NamedCard[], query: string): NamedCard[] {
  const q = query.trim().toLowerCase();
  const scored: { c: NamedCard; s: number }[] = [];
  for (const c of cards) {
    const name = c.name.toLowerCase();
    const kind = `${c.title} ${c.keras_class || ''}`.toLowerCase();
    let s = 0;
    if (!q) {
      s = 1;
    } else if (name.startsWith(q)) {
      s = 4;
    } else if (name.includes(q)) {
      s = 3;
    } else if (kind.includes(q)) {
      s = 2;
    }
    if (s) {
      scored.push({ c, s });
    }
  }
  scored.sort((a, b) => b.s - a.s || a.c.name.localeCompare(b.c.name));
  return scored.map(x => x.c);
}

/**
 * Catalogue cards that can take the end of a wire of `type` dragged from a
 * port on `side`, with the port it would join (an input for a wire from an
 * output, and the other way round); a card's first such port.
 */
export function cardsForWire(
  cards: CardSpec[],
  type: string,
  side: 'input' | 'output'
): { spec: CardSpec; port: string }[] {
  const out: { spec: CardSpec; port: string }[] = [];
  for (const spec of cards) {
    const port =
      side === 'output'
        ? spec.inputs.find(i => !isParam(i) && i.type === type)
        : spec.outputs.find(o => o.type === type);
    if (port) {
      out.push({ spec, port: port.name });
    }
  }
  return out;
}
