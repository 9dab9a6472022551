/**
 * The editor's chrome around the canvas: toolbar, status bar, error toast and
 * the canvas tooltip. Plain DOM; the actions behind the buttons are passed in.
 */

import { h, icon } from './dom';
import { formatCount } from './format';
import { ButtonState } from './history';

export interface ToolbarActions {
  togglePalette(): void;
  undo(): void;
  redo(): void;
  deleteSelected(): void;
  layout(): void;
  fit(): void;
  zoomBy(factor: number): void;
  /** The export button (offers PNG and SVG). */
  exportPicture(button: HTMLElement): void;
  /** Any button press: the user takes over the viewport. */
  pressed(): void;
}

function button(name: string, label: string, title: string, testid: string, onClick: () => void): HTMLButtonElement {
  const b = h('button', { class: 'nnc-btn', type: 'button', title, 'aria-label': title, 'data-testid': testid });
  b.appendChild(icon(name));
  if (label) {
    b.appendChild(h('span', { text: label }));
  }
  b.addEventListener('click', e => {
    e.preventDefault();
    onClick();
  });
  return b;
}

export class Toolbar {
  readonly el: HTMLElement;
  private undoBtn: HTMLButtonElement;
  private redoBtn: HTMLButtonElement;
  private deleteBtn: HTMLButtonElement;
  private paletteBtn: HTMLButtonElement;
  private totalEl: HTMLElement;

  constructor(actions: ToolbarActions) {
    const act = (f: () => void) => () => {
      actions.pressed();
      f();
    };
    this.undoBtn = button(
      'undo',
      '',
      'Undo (Ctrl+Z)',
      'nncards-undo',
      act(() => actions.undo())
    );
    this.redoBtn = button(
      'redo',
      '',
      'Redo (Ctrl+Shift+Z)',
      'nncards-redo',
      act(() => actions.redo())
    );
    this.deleteBtn = button(
      'trash',
      '',
      'Delete selected (Delete)',
      'nncards-delete',
      act(() => actions.deleteSelected())
    );
    // Showing or hiding the palette re-frames the network while the view is still automatic.
    this.paletteBtn = h('button', {
      class: 'nnc-btn nnc-palette-toggle',
      type: 'button',
      title: 'Show or hide the card palette',
      'aria-label': 'Show or hide the card palette',
      'aria-pressed': 'true',
      'data-testid': 'nncards-palette-toggle'
    });
    this.paletteBtn.appendChild(icon('sidebar'));
    this.paletteBtn.appendChild(h('span', { text: 'Cards' }));
    this.paletteBtn.addEventListener('click', e => {
      e.preventDefault();
      actions.togglePalette();
    });
    this.totalEl = h('div', { class: 'nnc-total', 'data-testid': 'nncards-total-params' });
    this.el = h(
      'div',
      { class: 'nnc-toolbar' },
      h('div', { class: 'nnc-brand' }, h('span', { class: 'nnc-brand-mark' }), 'Network'),
      h('div', { class: 'nnc-sep' }),
      this.paletteBtn,
      h('div', { class: 'nnc-sep' }),
      this.undoBtn,
      this.redoBtn,
      this.deleteBtn,
      h('div', { class: 'nnc-sep' }),
      button(
        'layout',
        'Layout',
        'Lay the network out left to right',
        'nncards-layout',
        act(() => actions.layout())
      ),
      button(
        'fit',
        'Fit',
        'Fit the network to the view',
        'nncards-fit',
        act(() => actions.fit())
      ),
      button(
        'zoomOut',
        '',
        'Zoom out',
        'nncards-zoom-out',
        act(() => actions.zoomBy(1 / 1.25))
      ),
      button(
        'zoomIn',
        '',
        'Zoom in',
        'nncards-zoom-in',
        act(() => actions.zoomBy(1.25))
      ),
      h('div', { class: 'nnc-sep' }),
      button('export', '', 'Save a picture of the network (PNG or SVG)', 'nncards-export', () =>
        actions.exportPicture(this.el.querySelector('[data-testid="nncards-export"]') as HTMLElement)
      ),
      h('div', { class: 'nnc-spacer' }),
      this.totalEl
    );
  }

  setPaletteOpen(open: boolean): void {
    this.paletteBtn.setAttribute('aria-pressed', open ? 'true' : 'false');
    this.paletteBtn.classList.toggle('nnc-active', open);
  }

  setHistory(buttons: { undo: ButtonState; redo: ButtonState }): void {
    this.undoBtn.disabled = !buttons.undo.enabled;
    this.undoBtn.title = buttons.undo.title;
    this.redoBtn.disabled = !buttons.redo.enabled;
    this.redoBtn.title = buttons.redo.title;
  }

  setCanDelete(can: boolean): void {
    this.deleteBtn.disabled = !can;
  }

  setTotalParams(total: unknown): void {
    this.totalEl.innerHTML = '';
    this.totalEl.appendChild(h('span', { class: 'nnc-total-k', text: 'Total params' }));
    this.totalEl.appendChild(
      h('span', { class: 'nnc-total-v', text: typeof total === 'number' ? formatCount(total) : '—' })
    );
  }
}

export type StatusKind = 'ok' | 'info' | 'error';

/** The status line, card/wire counts and key hints below the canvas. */
export class StatusBar {
  readonly el: HTMLElement;
  private msgEl: HTMLElement;
  private countsEl: HTMLElement;

  constructor() {
    this.msgEl = h('div', { class: 'nnc-status-msg', 'data-testid': 'nncards-status', 'aria-live': 'polite' });
    this.countsEl = h('div', { class: 'nnc-counts', 'data-testid': 'nncards-counts' });
    this.el = h(
      'div',
      { class: 'nnc-statusbar' },
      this.msgEl,
      h('div', { class: 'nnc-spacer' }),
      this.countsEl,
      h('div', { class: 'nnc-hints', text: 'Drag ● to connect · Del deletes · Ctrl+Z undo' })
    );
  }

  show(msg: string, kind: StatusKind = 'info'): void {
    this.msgEl.textContent = msg;
    this.msgEl.className = `nnc-status-msg nnc-status-${kind}`;
  }

  setCounts(cards: number, wires: number): void {
    this.countsEl.textContent = `${cards} card${cards === 1 ? '' : 's'} · ${wires} wire${wires === 1 ? '' : 's'}`;
  }
}

/** An error message over the canvas that closes itself after a while. */
export class Toast {
  readonly el: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    this.el = h('div', { class: 'nnc-toast', role: 'alert', 'data-testid': 'nncards-toast' });
  }

  show(msg: string): void {
    const t = this.el;
    t.innerHTML = '';
    t.appendChild(h('span', { class: 'nnc-toast-icon', text: '!' }));
    t.appendChild(h('span', { class: 'nnc-toast-text', text: msg }));
    const close = h('button', { class: 'nnc-toast-close', type: 'button', 'aria-label': 'Dismiss' });
    close.appendChild(icon('close'));
    close.addEventListener('click', () => t.classList.remove('nnc-show'));
    t.appendChild(close);
    t.classList.add('nnc-show');
    if (this.timer) {
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => t.classList.remove('nnc-show'), 8000);
  }

  /** Close the message (a later success makes it stale). */
  hide(): void {
    this.el.classList.remove('nnc-show');
  }
}

/** The tooltip of ports and cards with errors, placed next to the pointer. */
export class Tooltip {
  readonly el: HTMLElement;

  constructor(private within: () => HTMLElement) {
    this.el = h('div', { class: 'nnc-tooltip', 'data-testid': 'nncards-tooltip' });
  }

  show(clientX: number, clientY: number, text: string, help?: string, error = false): void {
    const r = this.within().getBoundingClientRect();
    const t = this.el;
    t.innerHTML = '';
    t.appendChild(h('div', { class: 'nnc-tooltip-main', text }));
    if (help) {
      t.appendChild(h('div', { class: 'nnc-tooltip-help', text: help }));
    }
    t.classList.toggle('nnc-tooltip-error', error);
    t.style.display = 'block';
    const left = Math.min(clientX - r.left + 14, r.width - 300);
    t.style.left = `${Math.max(4, left)}px`;
    t.style.top = `${clientY - r.top + 16}px`;
  }

  hide(): void {
    this.el.style.display = 'none';
  }
}
