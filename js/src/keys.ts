/** The editor's keyboard shortcuts, as a pure mapping from a key press to an action. */

export type KeyAction = 'delete' | 'undo' | 'redo' | 'selectAll' | 'unselect';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** The action of a key press on the canvas, or null when the editor does not handle it. */
export function keyAction(e: KeyPress): KeyAction | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (e.key === 'Delete' || e.key === 'Backspace') {
    return 'delete';
  }
  if (mod && key === 'z') {
    return e.shiftKey ? 'redo' : 'undo';
  }
  if (mod && key === 'y') {
    return 'redo';
  }
  if (mod && key === 'a') {
    return 'selectAll';
  }
  if (e.key === 'Escape') {
    return 'unselect';
  }
  return null;
}
