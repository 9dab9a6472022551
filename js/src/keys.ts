/**
 * The editor's keyboard shortcuts, as a pure mapping from a key press to an
 * action, and which keys belong to Jupyter (they are let through to
 * JupyterLab / Notebook 7 even while the canvas has the focus).
 */

export type KeyAction =
  | 'delete'
  | 'undo'
  | 'redo'
  | 'selectAll'
  | 'unselect'
  | 'copy'
  | 'paste'
  | 'duplicate'
  | 'find'
  | 'quickAdd'
  | 'left'
  | 'right'
  | 'up'
  | 'down';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey?: boolean;
}

/**
 * Keys that are Jupyter's: save (Ctrl/Cmd+S), run the cell (Shift/Ctrl/Alt+Enter),
 * leave to command mode (Escape). The canvas lets them reach the notebook.
 */
export function isJupyterKey(e: KeyPress): boolean {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && key === 's') {
    return true;
  }
  if (e.key === 'Enter' && (e.shiftKey || mod || !!e.altKey)) {
    return true;
  }
  return e.key === 'Escape';
}

const ARROWS: Record<string, KeyAction> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down'
};

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
  if (mod && key === 'c') {
    return 'copy';
  }
  if (mod && key === 'v') {
    return 'paste';
  }
  if (mod && key === 'd') {
    return 'duplicate';
  }
  if (mod && key === 'f') {
    return 'find';
  }
  if (!mod && !e.altKey && (e.key === 'Tab' || e.key === ' ')) {
    return 'quickAdd';
  }
  if (!mod && ARROWS[e.key]) {
    return ARROWS[e.key];
  }
  if (e.key === 'Escape') {
    return 'unselect';
  }
  return null;
}
