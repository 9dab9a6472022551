/**
 * The card palette: a searchable list of the catalogue, grouped by category.
 * A card is added by clicking it, pressing Enter on it, or dragging it onto
 * the canvas (DRAG_MIME carries its id).
 */

import { categoryColor } from './colors';
import { h, icon } from './dom';
import { groupCatalog, searchCatalog } from './palette';
import { CardSpec } from './types';

export const DRAG_MIME = 'application/x-nncards-card';

/** Groups shown open when the palette first shows. */
const OPEN_GROUPS = new Set(['Inputs & outputs', 'Layers']);

export class PaletteView {
  readonly el: HTMLElement;
  readonly searchEl: HTMLInputElement;
  private listEl: HTMLElement;
  private searchText = '';
  private specs: CardSpec[] = [];

  /** @param add adds a card by catalogue id */
  constructor(private add: (cardId: string) => void) {
    this.searchEl = h('input', {
      class: 'nnc-search',
      type: 'search',
      placeholder: 'Search cards…',
      'aria-label': 'Search cards',
      'data-testid': 'nncards-palette-search',
      spellcheck: 'false'
    });
    this.searchEl.addEventListener('input', () => {
      this.searchText = this.searchEl.value;
      this.render();
    });
    this.searchEl.addEventListener('keydown', e => {
      if (e.key === 'Enter') {
        const first = this.listEl.querySelector('[data-card-id]') as HTMLElement | null;
        if (first) {
          this.add(first.dataset.cardId!);
        }
      } else if (e.key === 'Escape') {
        this.searchEl.value = '';
        this.searchText = '';
        this.render();
      }
    });
    this.listEl = h('div', { class: 'nnc-palette-list', 'data-testid': 'nncards-palette-list' });
    const searchBox = h('div', { class: 'nnc-search-box' });
    searchBox.appendChild(icon('search'));
    searchBox.appendChild(this.searchEl);
    this.el = h(
      'div',
      { class: 'nnc-palette', 'data-testid': 'nncards-palette' },
      h('div', { class: 'nnc-panel-title', text: 'Cards' }),
      searchBox,
      this.listEl
    );
  }

  setCatalog(specs: CardSpec[]): void {
    this.specs = specs;
    this.render();
  }

  private item(spec: CardSpec): HTMLElement {
    const it = h(
      'div',
      {
        class: 'nnc-pal-item',
        draggable: 'true',
        role: 'button',
        tabindex: '0',
        title: `${spec.title} — click or drag onto the canvas`,
        'data-card-id': spec.id,
        'data-testid': 'nncards-palette-item'
      },
      h('span', { class: 'nnc-pal-swatch', style: `background:${categoryColor(spec.category)}` }),
      h('span', { class: 'nnc-pal-title', text: spec.title })
    );
    it.addEventListener('click', () => this.add(spec.id));
    it.addEventListener('keydown', e => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.add(spec.id);
      }
    });
    it.addEventListener('dragstart', e => {
      if (e.dataTransfer) {
        e.dataTransfer.setData(DRAG_MIME, spec.id);
        e.dataTransfer.setData('text/plain', spec.id);
        e.dataTransfer.effectAllowed = 'copy';
      }
    });
    return it;
  }

  render(): void {
    const box = this.listEl;
    box.innerHTML = '';
    if (!this.specs.length) {
      box.appendChild(h('div', { class: 'nnc-pal-empty', text: 'The catalogue is loading…' }));
      return;
    }
    const query = this.searchText.trim();
    if (query) {
      const found = searchCatalog(this.specs, this.searchText);
      if (!found.length) {
        box.appendChild(h('div', { class: 'nnc-pal-empty', text: `No card matches “${query}”.` }));
      }
      for (const s of found) {
        box.appendChild(this.item(s));
      }
      return;
    }
    for (const g of groupCatalog(this.specs)) {
      const det = h('details', { class: 'nnc-pal-group', 'data-group': g.label });
      if (OPEN_GROUPS.has(g.label)) {
        det.setAttribute('open', '');
      }
      det.appendChild(
        h(
          'summary',
          {},
          h('span', { text: g.label }),
          h('span', { class: 'nnc-pal-count', text: String(g.cards.length) })
        )
      );
      for (const s of g.cards) {
        det.appendChild(this.item(s));
      }
      box.appendChild(det);
    }
  }
}
