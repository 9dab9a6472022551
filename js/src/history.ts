/**
 * The kernel's undo history as the view shows it: the editor's synced
 * `undo_state` trait gives the labels of the next undo and redo; the
 * toolbar's buttons are enabled and titled from it.
 */

import { History } from './protocol';

/** The synced trait names of the undo state, newest first (`history` until the rename). */
export const UNDO_TRAITS = ['undo_state', 'history'];

/** The undo state of an editor model (any object with Backbone's `get`). */
export function undoStateOf(model: { get(name: string): unknown }): History {
  for (const name of UNDO_TRAITS) {
    const v = model.get(name);
    if (v !== undefined && v !== null) {
      return readHistory(v);
    }
  }
  return readHistory(undefined);
}

/** The undo state trait, read defensively (an older kernel has none). */
export function readHistory(value: unknown): History {
  const v = (value || {}) as Partial<History>;
  const count = (n: unknown, label: string): number => (typeof n === 'number' ? n : label ? 1 : 0);
  const undo = typeof v.undo === 'string' ? v.undo : '';
  const redo = typeof v.redo === 'string' ? v.redo : '';
  return { undo, redo, undo_count: count(v.undo_count, undo), redo_count: count(v.redo_count, redo) };
}

export interface ButtonState {
  enabled: boolean;
  title: string;
}

/** Enabled state and tooltip of the Undo and Redo buttons. */
export function historyButtons(h: History): { undo: ButtonState; redo: ButtonState } {
  return {
    undo: {
      enabled: h.undo_count > 0,
      title: h.undo ? `Undo ${h.undo} (Ctrl+Z)` : 'Undo (Ctrl+Z)'
    },
    redo: {
      enabled: h.redo_count > 0,
      title: h.redo ? `Redo ${h.redo} (Ctrl+Shift+Z)` : 'Redo (Ctrl+Shift+Z)'
    }
  };
}
