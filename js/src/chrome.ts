/**
 * The editor's chrome around the canvas: toolbar, side panels (how they share
 * the width with the canvas), status bar, error toast and the canvas tooltip.
 * Plain DOM; the actions behind the buttons are passed in.
 */

import { h, icon } from './dom';
import { formatCount } from './format';
import { ButtonState } from './history';
import { ZOOM_STEP } from './viewport';

/** The parts the toolbar shows and hides. */
export type Toggle = 'palette' | 'inspector' | 'minimap';

/** The side panels beside (or over) the canvas. */
export type Panel = 'palette' | 'inspector';

/** Width of each side panel, in pixels (as in style/index.css). */
export const PANEL_WIDTH: Record<Panel, number> = { palette: 210, inspector: 272 };

/** Panels beside the canvas leave it at least this share of the editor's width. */
export const MIN_CANVAS_SHARE = 0.6;

/** Below this editor width the toolbar shows icons only. */
export const COMPACT_WIDTH = 720;

export type PanelPlace = 'docked' | 'overlay' | 'closed';

/**
 * Where each open panel goes in an editor `width` pixels wide: beside the
 * canvas while the canvas keeps MIN_CANVAS_SHARE of the width (the inspector
 * first), else over the canvas (an overlay, at most one: a second one closes).
 */
export function panelPlaces(width: number, open: Record<Panel, boolean>): Record<Panel, PanelPlace> {
  const places: Record<Panel, PanelPlace> = { palette: 'closed', inspector: 'closed' };
  let docked = 0;
  let overlay = false;
  for (const p of ['inspector', 'palette'] as Panel[]) {
    if (!open[p]) {
      continue;
    }
    if (docked + PANEL_WIDTH[p] <= (1 - MIN_CANVAS_SHARE) * width) {
      docked += PANEL_WIDTH[p];
      places[p] = 'docked';
    } else if (!overlay) {
      overlay = true;
      places[p] = 'overlay';
    }
  }
  return places;
}

export interface ToolbarActions {
  /** Show or hide a panel or the minimap. */
  toggle(what: Toggle): void;
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
  private toggles = {} as Record<Toggle, HTMLButtonElement>;
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
    const toggle = (what: Toggle, iconName: string, label: string, title: string): HTMLButtonElement => {
      // Showing or hiding a panel re-frames the network while the view is still automatic.
      const b = button(iconName, label, title, `nncards-${what}-toggle`, () => actions.toggle(what));
      b.classList.add('nnc-toggle');
      b.setAttribute('aria-pressed', 'false');
      this.toggles[what] = b;
      return b;
    };
    this.totalEl = h('div', { class: 'nnc-total', 'data-testid': 'nncards-total-params' });
    this.el = h(
      'div',
      { class: 'nnc-toolbar' },
      h(
        'div',
        { class: 'nnc-brand' },
        h('span', { class: 'nnc-brand-mark' }),
        h('span', { class: 'nnc-brand-text', text: 'Network' })
      ),
      h('div', { class: 'nnc-sep' }),
      toggle('palette', 'sidebar', 'Cards', 'Show or hide the card palette'),
      toggle('inspector', 'inspector', 'Inspector', 'Show or hide the inspector'),
      toggle('minimap', 'minimap', 'Map', 'Show or hide the minimap (an overview of the network)'),
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
        act(() => actions.zoomBy(1 / ZOOM_STEP))
      ),
      button(
        'zoomIn',
        '',
        'Zoom in',
        'nncards-zoom-in',
        act(() => actions.zoomBy(ZOOM_STEP))
      ),
      h('div', { class: 'nnc-sep' }),
      button('export', '', 'Save a picture of the network (PNG or SVG)', 'nncards-export', () =>
        actions.exportPicture(this.el.querySelector('[data-testid="nncards-export"]') as HTMLElement)
      ),
      h('div', { class: 'nnc-spacer' }),
      this.totalEl
    );
  }

  /** Show a toggle button pressed (its panel or the minimap shown) or not. */
  setToggle(what: Toggle, on: boolean): void {
    const b = this.toggles[what];
    b.setAttribute('aria-pressed', on ? 'true' : 'false');
    b.classList.toggle('nnc-active', on);
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

/**
 * The status line, card/wire counts and key hints below the canvas. A lasting
 * condition (the kernel is gone) takes the line over: no later message can
 * say "Connected." under it.
 */
export class StatusBar {
  readonly el: HTMLElement;
  private msgEl: HTMLElement;
  private countsEl: HTMLElement;
  /** The lasting condition shown, if any. */
  condition: string | null = null;

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
    if (this.condition !== null) {
      return;
    }
    this.msgEl.textContent = msg;
    this.msgEl.className = `nnc-status-msg nnc-status-${kind}`;
  }

  /** A condition that stays on the line until it is cleared (null). */
  setCondition(text: string | null): void {
    this.condition = null;
    if (text !== null) {
      this.show(text, 'error');
      this.condition = text;
    }
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
