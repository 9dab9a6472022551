/**
 * Small floating panels over the canvas: a picker (a search field over a list,
 * for quick add, find and "connect a new card") and our context menu. Both
 * close on Escape, on a click elsewhere, and when another opens.
 */

import { h } from './dom';
import { Point } from './types';

export interface PickItem {
  value: string;
  label: string;
  detail?: string;
}

export interface MenuItem {
  label: string;
  action: () => void;
  disabled?: boolean;
  /** A hint such as the shortcut ("Ctrl+D"). */
  hint?: string;
}

/** At most this many entries are listed (the search narrows them). */
const MAX_ITEMS = 40;

abstract class Floating {
  readonly el: HTMLElement;
  private closer: ((e: MouseEvent) => void) | null = null;

  constructor(cls: string, testid: string) {
    this.el = h('div', { class: `nnc-float ${cls}`, 'data-testid': testid });
    this.el.style.display = 'none';
  }

  get isOpen(): boolean {
    return this.el.style.display !== 'none';
  }

  /** Show at a point relative to `wrap`, kept inside it. */
  protected place(wrap: HTMLElement, at: Point): void {
    if (this.el.parentElement !== wrap) {
      wrap.appendChild(this.el);
    }
    this.el.style.display = '';
    const w = this.el.offsetWidth;
    const hgt = this.el.offsetHeight;
    const x = Math.max(4, Math.min(at.x, wrap.clientWidth - w - 4));
    const y = Math.max(4, Math.min(at.y, wrap.clientHeight - hgt - 4));
    this.el.style.left = `${x}px`;
    this.el.style.top = `${y}px`;
    this.closer = (e: MouseEvent) => {
      if (!this.el.contains(e.target as Node)) {
        this.close();
      }
    };
    setTimeout(() => this.closer && window.addEventListener('mousedown', this.closer, true), 0);
  }

  close(): void {
    this.el.style.display = 'none';
    if (this.closer) {
      window.removeEventListener('mousedown', this.closer, true);
      this.closer = null;
    }
  }
}

/** A search field over a list; Enter or a click chooses. */
export class Picker extends Floating {
  private input: HTMLInputElement;
  private list: HTMLElement;
  private items: PickItem[] = [];
  private active = 0;
  private source: (query: string) => PickItem[] = () => [];
  private choose: (value: string) => void = () => undefined;
  private onClose: (() => void) | null = null;

  constructor() {
    super('nnc-picker', 'nncards-picker');
    this.input = h('input', {
      class: 'nnc-picker-input',
      type: 'search',
      'data-testid': 'nncards-picker-input'
    }) as HTMLInputElement;
    this.list = h('div', { class: 'nnc-picker-list' });
    this.el.appendChild(this.input);
    this.el.appendChild(this.list);
    this.input.addEventListener('input', () => this.refresh());
    this.input.addEventListener('keydown', e => this.onKey(e));
  }

  open(
    wrap: HTMLElement,
    at: Point,
    placeholder: string,
    source: (query: string) => PickItem[],
    choose: (value: string) => void,
    onClose?: () => void
  ): void {
    this.source = source;
    this.choose = choose;
    this.onClose = onClose || null;
    this.input.placeholder = placeholder;
    this.input.value = '';
    this.refresh();
    this.place(wrap, at);
    this.input.focus({ preventScroll: true });
  }

  close(): void {
    const was = this.isOpen;
    super.close();
    const cb = this.onClose;
    this.onClose = null;
    if (was && cb) {
      cb();
    }
  }

  private refresh(): void {
    this.items = this.source(this.input.value).slice(0, MAX_ITEMS);
    this.active = 0;
    this.list.innerHTML = '';
    if (!this.items.length) {
      this.list.appendChild(h('div', { class: 'nnc-picker-empty', text: 'Nothing matches' }));
    }
    this.items.forEach((it, i) => {
      const row = h(
        'div',
        { class: 'nnc-picker-item', 'data-testid': 'nncards-picker-item', 'data-value': it.value },
        h('span', { class: 'nnc-picker-label', text: it.label }),
        it.detail ? h('span', { class: 'nnc-picker-detail', text: it.detail }) : null
      );
      row.addEventListener('mousedown', e => {
        e.preventDefault();
        this.pick(i);
      });
      this.list.appendChild(row);
    });
    this.highlight();
  }

  private highlight(): void {
    Array.from(this.list.children).forEach((c, i) => c.classList.toggle('nnc-active', i === this.active));
    const row = this.list.children[this.active] as HTMLElement | undefined;
    if (row && row.scrollIntoView) {
      row.scrollIntoView({ block: 'nearest' });
    }
  }

  private pick(i: number): void {
    const it = this.items[i];
    this.onClose = null; // chosen, not dismissed
    this.close();
    if (it) {
      this.choose(it.value);
    }
  }

  private onKey(e: KeyboardEvent): void {
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      this.close();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      this.pick(this.active);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = this.items.length;
      if (n) {
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.highlight();
      }
    }
  }
}

/** The canvas's own context menu (cards, wires, empty canvas). */
export class ContextMenu extends Floating {
  constructor() {
    super('nnc-menu', 'nncards-context-menu');
    this.el.addEventListener('keydown', e => {
      e.stopPropagation();
      if (e.key === 'Escape') {
        this.close();
      }
    });
  }

  open(wrap: HTMLElement, at: Point, items: MenuItem[]): void {
    this.el.innerHTML = '';
    for (const it of items) {
      const row = h(
        'button',
        { class: 'nnc-menu-item', type: 'button', 'data-testid': 'nncards-menu-item', disabled: !!it.disabled },
        h('span', { text: it.label }),
        it.hint ? h('span', { class: 'nnc-menu-hint', text: it.hint }) : null
      );
      row.addEventListener('click', () => {
        this.close();
        it.action();
      });
      this.el.appendChild(row);
    }
    this.place(wrap, at);
  }
}

/**
 * Editing a value on the card: the inspector's field for that parameter (the
 * same parsing, checks and messages), shown over the card's row. It closes
 * once the kernel accepts the value, on Escape or on a click elsewhere.
 */
export class ValueEditor extends Floating {
  constructor() {
    super('nnc-value-editor', 'nncards-card-editor');
    this.el.addEventListener('keydown', e => {
      e.stopPropagation();
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
        this.onDone();
      }
    });
  }

  private onDone: () => void = () => undefined;

  /** Show `field` (made by fields.paramField) with its top-left at `at` in `wrap`, `width` wide. */
  open(wrap: HTMLElement, at: Point, width: number, field: HTMLElement, onDone: () => void): void {
    this.onDone = onDone;
    this.el.innerHTML = '';
    this.el.style.width = `${Math.max(180, width)}px`;
    this.el.appendChild(field);
    this.place(wrap, at);
    const control = this.el.querySelector('input, select') as HTMLElement | null;
    if (control) {
      control.focus({ preventScroll: true });
      if (control instanceof HTMLInputElement && control.type !== 'checkbox') {
        control.select();
      }
    }
  }

  /** The kernel accepted the value. */
  accepted(): void {
    this.close();
    this.onDone();
  }
}
