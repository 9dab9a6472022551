/**
 * Work that survives: the notebook keeps the editor's graph, and a canvas
 * without a kernel says so.
 *
 * - After every change the view asks the kernel for the graph (`to_json`)
 *   and writes it into the metadata of the notebook cell showing the editor
 *   (`metadata.nncards.graph`), unless a file keeps the network
 *   (`NetworkEditor("mynet.cards.json")`).
 * - A new, empty editor shown in a cell whose metadata holds a graph offers
 *   to restore it: one click sends a `load` request (one undoable step).
 * - When the kernel restarts (the model's comm dies) or the view is a saved
 *   snapshot without a kernel, a banner says so and editing is turned off.
 *
 * The cell is found through the widget manager's notebook context: the code
 * cell with an output showing this editor's model (JupyterLab and Notebook 7).
 */

import { Reply, Request } from './protocol';

/** Metadata key of a notebook cell holding an editor's graph. */
export const METADATA_KEY = 'nncards';
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';
/** Wait this long after a change before asking for the graph (changes come in bursts). */
const SAVE_DELAY_MS = 400;

export interface PersistenceHost {
  /** The editor's element (it gets the class `nnc-readonly`). */
  el: HTMLElement;
  /** The NetworkEditorModel. */
  model: any;
  /** Where the banner goes (the canvas wrapper). */
  wrap: HTMLElement;
  request: (req: Request) => Promise<Reply>;
  /** Editing was turned off (the banner's title): the status line says so. */
  readOnly?: (title: string) => void;
}

/** A saved graph in `ed.to_json()` form (only what is read here). */
interface SavedGraph {
  cards?: unknown[];
  [key: string]: unknown;
}

/** Why a view cannot edit: its kernel restarted, was stopped, or it is a saved snapshot. */
export type KernelGone = 'restarted' | 'stopped' | 'snapshot';

/** Words for the banner of a view that cannot edit. */
export function readOnlyNote(why: KernelGone): { title: string; detail: string } {
  const detail = 'This canvas shows the network as it was; editing is off until the cell runs again.';
  switch (why) {
    case 'restarted':
      return { title: 'Kernel restarted — run the cell again', detail };
    case 'stopped':
      return { title: 'Kernel stopped — start it and run the cell again', detail };
    default:
      return {
        title: 'Read-only: saved with the notebook',
        detail: 'No kernel is connected to this editor. Run the cell to edit the network.'
      };
  }
}

/** The restore offer's text for a saved graph (null when there is nothing to restore). */
export function restoreOffer(graph: unknown): string | null {
  const cards = graph && typeof graph === 'object' ? (graph as SavedGraph).cards : null;
  if (!Array.isArray(cards) || cards.length === 0) {
    return null;
  }
  const n = cards.length;
  return `Restore the network saved in this notebook (${n} card${n === 1 ? '' : 's'})`;
}

/** Keys that edit the network (blocked while read-only; other keys go on to Jupyter). */
function editingKey(e: KeyboardEvent): boolean {
  if (e.key === 'Delete' || e.key === 'Backspace' || e.key === 'Tab' || e.key === ' ') {
    return true;
  }
  return (e.ctrlKey || e.metaKey) && ['z', 'y', 'c', 'v', 'x', 'd', 'a'].includes(e.key.toLowerCase());
}

/** The notebook cell whose outputs show widget model `modelId`, if the page has one. */
function findCell(model: any): any {
  const cells = model?.widget_manager?.context?.model?.cells;
  if (!cells || typeof cells.get !== 'function') {
    return null;
  }
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    const outputs = cell && cell.outputs;
    if (!outputs || typeof outputs.get !== 'function') {
      continue;
    }
    for (let j = 0; j < outputs.length; j++) {
      const data = outputs.get(j)?.data;
      const view = data && data[WIDGET_MIME];
      if (view && view.model_id === model.model_id) {
        return cell;
      }
    }
  }
  return null;
}

function getMetadata(cell: any): any {
  if (typeof cell.getMetadata === 'function') {
    return cell.getMetadata(METADATA_KEY);
  }
  return cell.metadata?.get?.(METADATA_KEY);
}

function setMetadata(cell: any, value: unknown): void {
  if (typeof cell.setMetadata === 'function') {
    cell.setMetadata(METADATA_KEY, value);
  } else {
    cell.metadata?.set?.(METADATA_KEY, value);
  }
}

function cardCount(model: any): number {
  const graph = model.get('graph');
  return ((graph && graph.get('nodes')) || []).length;
}

function el(tag: string, cls: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  if (text) {
    e.textContent = text;
  }
  return e;
}

const STYLE = `
.nnc-persist-banner { position: absolute; left: 50%; top: 12px; transform: translateX(-50%); z-index: 30;
  width: max-content; max-width: min(560px, calc(100% - 24px)); box-sizing: border-box; padding: 10px 14px; border-radius: 8px;
  font: 13px/1.4 var(--jp-ui-font-family, system-ui, sans-serif); display: flex; gap: 10px; align-items: center;
  box-shadow: 0 2px 10px rgba(0,0,0,0.18); }
.nnc-persist-dead { background: var(--jp-warn-color3, #fff4e0); color: var(--jp-ui-font-color0, #222);
  border: 1px solid var(--jp-warn-color1, #e0a030); flex-direction: column; align-items: flex-start; gap: 2px; }
.nnc-persist-dead b { font-size: 14px; }
.nnc-persist-offer { background: var(--jp-info-color3, #e8f1fc); color: var(--jp-ui-font-color0, #222);
  border: 1px solid var(--jp-info-color1, #3b82f6); }
.nnc-persist-offer button { font: inherit; cursor: pointer; border-radius: 6px; padding: 4px 10px;
  border: 1px solid var(--jp-info-color1, #3b82f6); }
.nnc-persist-offer .nnc-persist-restore { background: var(--jp-brand-color1, #2563eb); color: #fff; }
.nnc-persist-offer .nnc-persist-dismiss { background: transparent; color: inherit; }
.nnc-editor.nnc-readonly .nnc-canvas { filter: grayscale(0.85) opacity(0.6); }
.nnc-editor.nnc-readonly .nnc-toolbar, .nnc-editor.nnc-readonly .nnc-palette,
.nnc-editor.nnc-readonly .nnc-inspector { opacity: 0.45; pointer-events: none; }
`;

function addStyle(): void {
  if (document.getElementById('nnc-persistence-style')) {
    return;
  }
  const style = document.createElement('style');
  style.id = 'nnc-persistence-style';
  style.textContent = STYLE;
  document.head.appendChild(style);
}

/**
 * Keep the editor's graph in the notebook, offer to restore it, and turn
 * editing off without a kernel. Returns a function that stops it all.
 */
export function watchPersistence(host: PersistenceHost): () => void {
  addStyle();
  const { model } = host;
  let readOnly = false;
  let offer: HTMLElement | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;
  let fileBacked = false; // a file keeps this network: nothing to keep in the notebook
  let kernelDead = false;
  const live = (): boolean => !disposed && !kernelDead && model.comm_live !== false;

  const block = (e: Event): void => {
    if (!readOnly || (e.target instanceof Node && banner.contains(e.target))) {
      return;
    }
    if (e instanceof KeyboardEvent && !editingKey(e)) {
      return;
    }
    e.stopPropagation();
    e.preventDefault();
  };
  const blocked = ['mousedown', 'pointerdown', 'click', 'dblclick', 'contextmenu', 'drop', 'dragover', 'keydown'];
  for (const type of blocked) {
    host.el.addEventListener(type, block, true);
  }
  const banner = el('div', 'nnc-persist-banner nnc-persist-dead');
  banner.setAttribute('data-testid', 'nncards-readonly-banner');
  banner.setAttribute('role', 'status');
  banner.style.display = 'none';
  host.wrap.appendChild(banner);

  const showReadOnly = (why: KernelGone): void => {
    readOnly = true;
    hideOffer();
    host.el.classList.add('nnc-readonly');
    host.el.setAttribute('data-readonly', why === 'snapshot' ? 'snapshot' : 'kernel-gone');
    const note = readOnlyNote(why);
    banner.innerHTML = '';
    banner.appendChild(el('b', '', note.title));
    banner.appendChild(el('span', '', note.detail));
    banner.style.display = '';
    host.readOnly?.(note.title);
  };

  const hideOffer = (): void => {
    if (offer) {
      offer.remove();
      offer = null;
    }
  };

  /** Ask the kernel for the graph and keep it in the cell's metadata. */
  const save = async (): Promise<void> => {
    timer = null;
    const cell = findCell(model);
    if (!cell || !live() || offer || fileBacked) {
      return;
    }
    const reply = await host.request({ type: 'to_json' });
    fileBacked = !!(reply.ok && reply.result && reply.result.file);
    if (!reply.ok || !reply.result || fileBacked || !live()) {
      return; // a file keeps this network, or the kernel cannot say
    }
    const value = { graph: reply.result.graph };
    const old = getMetadata(cell);
    if (JSON.stringify(old) !== JSON.stringify(value)) {
      setMetadata(cell, value);
    }
  };
  const scheduleSave = (): void => {
    if (timer) {
      clearTimeout(timer);
    }
    timer = setTimeout(() => void save(), SAVE_DELAY_MS);
  };

  const showOffer = (graph: unknown, text: string): void => {
    offer = el('div', 'nnc-persist-banner nnc-persist-offer');
    offer.setAttribute('data-testid', 'nncards-restore-offer');
    const restore = el('button', 'nnc-persist-restore', text);
    restore.setAttribute('data-testid', 'nncards-restore');
    const dismiss = el('button', 'nnc-persist-dismiss', 'Start empty');
    dismiss.title = 'Keep this editor empty (the saved network is replaced at the first change)';
    restore.addEventListener('click', async () => {
      restore.setAttribute('disabled', 'true');
      const reply = await host.request({ type: 'load', graph: graph as Record<string, unknown> });
      if (reply.ok) {
        hideOffer();
      } else {
        restore.removeAttribute('disabled');
        restore.textContent = `Could not restore: ${reply.error || 'the kernel refused'}`;
      }
    });
    dismiss.addEventListener('click', () => hideOffer());
    offer.appendChild(restore);
    offer.appendChild(dismiss);
    host.wrap.appendChild(offer);
  };

  const start = (): void => {
    if (disposed) {
      return;
    }
    if (!live()) {
      showReadOnly('snapshot');
      return;
    }
    const cell = findCell(model);
    if (!cell) {
      return;
    }
    if (cardCount(model) === 0) {
      const saved = getMetadata(cell);
      const text = restoreOffer(saved && saved.graph);
      if (text) {
        showOffer(saved.graph, text);
      }
      return;
    }
    scheduleSave(); // a network made in the cell: keep it from the start
  };

  const onLive = (): void => {
    if (!live() && !readOnly) {
      showReadOnly('restarted'); // the widget manager lets go of every model on a restart
    }
  };
  // a kernel shut down (or swapped for another) leaves the models' comms as they were
  const session = model.widget_manager?.context?.sessionContext;
  const kernel = session?.session?.kernel ?? null;
  const onKernelChanged = (_: unknown, change: { newValue: unknown }): void => {
    if (change.newValue !== kernel && !readOnly && model.comm_live !== false) {
      kernelDead = true;
      showReadOnly(change.newValue ? 'restarted' : 'stopped');
    }
  };
  const onEdit = (): void => {
    if (offer && cardCount(model) > 0) {
      hideOffer(); // the user started a new network (or restored one)
    }
    if (live()) {
      scheduleSave();
    }
  };
  model.on('comm_live_update', onLive);
  model.on('change:undo_state change:history', onEdit);
  session?.kernelChanged?.connect(onKernelChanged);
  // the output holding this view is in the cell's model by the next turn
  setTimeout(start, 0);

  return () => {
    disposed = true;
    if (timer) {
      clearTimeout(timer);
    }
    model.off('comm_live_update', onLive);
    model.off('change:undo_state change:history', onEdit);
    session?.kernelChanged?.disconnect(onKernelChanged);
    for (const type of blocked) {
      host.el.removeEventListener(type, block, true);
    }
  };
}
