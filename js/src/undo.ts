/**
 * The undo stack of the view: each user action that the kernel accepted is
 * pushed as an entry that knows which requests undo and redo it.
 */

import { Point } from './types';

/** Sends one request and resolves with its result; throws when the kernel refuses. */
export type Call = (req: { type: string; [k: string]: unknown }) => Promise<any>;

export interface UndoEntry {
  label: string;
  undo(): Promise<void>;
  redo(): Promise<void>;
}

export class UndoStack {
  private done: UndoEntry[] = [];
  private undone: UndoEntry[] = [];
  private busy = false;
  private chain: Promise<unknown> = Promise.resolve();
  private pendingUndos = 0;
  private pendingRedos = 0;
  onChange: (() => void) | null = null;

  constructor(private limit = 200) {}

  push(entry: UndoEntry): void {
    this.done.push(entry);
    if (this.done.length > this.limit) {
      this.done.shift();
    }
    this.undone = [];
    this.changed();
  }

  get canUndo(): boolean {
    return this.done.length > this.pendingUndos;
  }

  get canRedo(): boolean {
    return this.undone.length > this.pendingRedos;
  }

  get undoLabel(): string | null {
    return this.done.length ? this.done[this.done.length - 1].label : null;
  }

  get redoLabel(): string | null {
    return this.undone.length ? this.undone[this.undone.length - 1].label : null;
  }

  get sizes(): { undo: number; redo: number } {
    return { undo: this.done.length, redo: this.undone.length };
  }

  /**
   * Undo the last entry. Calls made while another undo/redo is running wait for
   * it (so pressing Ctrl+Z twice quickly undoes two steps). Resolves false when
   * there is nothing to undo; rethrows refusals, leaving the stack unchanged.
   */
  undo(): Promise<boolean> {
    this.pendingUndos++;
    const run = this.chain.then(() => {
      this.pendingUndos--;
      return this.step(this.done, this.undone, e => e.undo());
    });
    this.chain = run.catch(() => false);
    return run;
  }

  redo(): Promise<boolean> {
    this.pendingRedos++;
    const run = this.chain.then(() => {
      this.pendingRedos--;
      return this.step(this.undone, this.done, e => e.redo());
    });
    this.chain = run.catch(() => false);
    return run;
  }

  private async step(
    from: UndoEntry[],
    to: UndoEntry[],
    act: (e: UndoEntry) => Promise<void>
  ): Promise<boolean> {
    if (!from.length) {
      return false;
    }
    const e = from[from.length - 1];
    this.busy = true;
    try {
      await act(e);
      from.pop();
      to.push(e);
      return true;
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  /** True while an undo or redo is talking to the kernel. */
  get running(): boolean {
    return this.busy;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
    this.changed();
  }

  private changed(): void {
    if (this.onChange) {
      this.onChange();
    }
  }
}

export interface Removed {
  cards: any[];
  wires: any[];
}

/** The uid of a card dict from the kernel (to_json's card entries). */
export function cardUid(card: any): string {
  return String(card.uid ?? card.data?.id ?? card.id);
}

/** The id of a wire dict from the kernel (to_json's wire entries). */
export function wireId(wire: any): string {
  return String(wire.id ?? wire.uid ?? wire.data?.id);
}

/** A card was added with uid; undo removes it, redo restores the very same card. */
export function addEntry(call: Call, uid: string, label = 'add card'): UndoEntry {
  let removed: Removed | null = null;
  return {
    label,
    async undo() {
      const r = await call({ type: 'remove', cards: [uid], wires: [] });
      removed = r.removed ?? { cards: [], wires: [] };
    },
    async redo() {
      await call({ type: 'restore', cards: removed?.cards ?? [], wires: removed?.wires ?? [] });
    }
  };
}

/** Cards/wires were removed (the reply's `removed`); undo restores them. */
export function removeEntry(call: Call, removed: Removed, label = 'delete'): UndoEntry {
  let current = removed;
  return {
    label,
    async undo() {
      await call({ type: 'restore', cards: current.cards, wires: current.wires });
    },
    async redo() {
      const r = await call({
        type: 'remove',
        cards: current.cards.map(cardUid),
        wires: current.wires.map(wireId)
      });
      if (r.removed) {
        current = r.removed;
      }
    }
  };
}

/** A wire was made (the reply's wire dict); undo disconnects it, redo restores it. */
export function connectEntry(call: Call, wire: any, label = 'connect'): UndoEntry {
  return {
    label,
    async undo() {
      await call({ type: 'disconnect', wire: wireId(wire) });
    },
    async redo() {
      await call({ type: 'restore', cards: [], wires: [wire] });
    }
  };
}

/** A parameter changed from oldValue to newValue. */
export function setParamEntry(
  call: Call,
  uid: string,
  name: string,
  oldValue: unknown,
  newValue: unknown,
  label = `edit ${name}`
): UndoEntry {
  return {
    label,
    async undo() {
      await call({ type: 'set_param', uid, name, value: oldValue });
    },
    async redo() {
      await call({ type: 'set_param', uid, name, value: newValue });
    }
  };
}

/** Cards moved from oldPositions to newPositions. */
export function moveEntry(
  call: Call,
  oldPositions: Record<string, Point>,
  newPositions: Record<string, Point>,
  label = 'move'
): UndoEntry {
  return {
    label,
    async undo() {
      await call({ type: 'move', positions: oldPositions });
    },
    async redo() {
      await call({ type: 'move', positions: newPositions });
    }
  };
}
