/**
 * What the user's gestures ask the kernel to do: add, delete, set a parameter,
 * move and lay out cards, undo and redo. Every change is a request
 * (protocol.ts); the kernel answers and the canvas redraws from the synced
 * state. The undo history lives in the kernel, so Python edits, every view of
 * the editor and page reloads share it.
 */

import type cytoscape from 'cytoscape';

import { CardLayer } from './cardlayer';
import { Clip, clipOf, CopiedCard, pasteRequest } from './clipboard';
import { StatusKind } from './chrome';
import { formatValue } from './format';
import { cardCorner, findFreeSpot, layoutCard, placementHeight } from './geometry';
import { undoStateOf } from './history';
import { layeredLayout, LayoutEdge, LayoutNode } from './layout';
import { Request } from './protocol';
import { RequestClient } from './requests';
import { CardSpec, InputSpec, isParam, Point, Rect } from './types';
import { Viewport } from './viewport';

/** The page's clipboard of cards (shared by every editor on the page). */
let clipboard: Clip | null = null;

/** Cards keep at least this width free when a new card is placed beside them. */
const PLACEMENT_MIN_WIDTH = 250;

/** The Layout button moves this many cards per animation frame. */
const CARDS_MOVED_PER_FRAME = 100;

export interface ActionsHost {
  readonly cy: cytoscape.Core | null;
  readonly model: any;
  readonly client: RequestClient;
  readonly specs: Map<string, CardSpec>;
  readonly layer: CardLayer;
  readonly viewport: Viewport;
  status(msg: string, kind?: StatusKind): void;
  error(msg: string): void;
  /** Select a card once it is on the canvas. */
  selectWhenShown(uid: string): void;
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n > 1 ? 's' : ''}`;
}

export class Actions {
  constructor(private host: ActionsHost) {}

  private send(req: Request) {
    return this.host.client.request(req);
  }

  /** Add a card from the palette at `at` (model point), or beside the selection, or in view. */
  addCard(cardId: string, at?: Point): Promise<string | null> {
    const { cy, layer } = this.host;
    const spec = this.host.specs.get(cardId);
    if (!spec || !cy) {
      return Promise.resolve(null);
    }
    this.host.viewport.automatic = false;
    const size = { width: layoutCard(spec, {}).width, height: placementHeight(spec) };
    let preferred = at;
    const selected = cy.$('node:selected');
    if (!preferred && selected.length === 1) {
      const s = layer.byUid.get(selected[0].id());
      if (s) {
        const p = s.node.position();
        preferred = {
          x: p.x + s.geom.width / 2 + 70 + size.width / 2,
          y: p.y - s.geom.height / 2 + size.height / 2
        };
      }
    }
    if (!preferred) {
      const ext = this.host.viewport.extent(); // the part of the canvas not under a panel
      preferred = layer.cards.size
        ? { x: ext.x1 + ext.w / 2, y: ext.y1 + ext.h / 2 }
        : { x: ext.x1 + Math.min(ext.w / 2, 60 + size.width / 2), y: ext.y1 + 40 + size.height / 2 };
    }
    const taken: Rect[] = Array.from(layer.cards.values()).map(e => {
      const p = e.node.position();
      return { x: p.x, y: p.y, w: Math.max(e.geom.width, PLACEMENT_MIN_WIDTH), h: e.geom.height + 30 };
    });
    const pos = findFreeSpot(taken, Math.max(size.width, PLACEMENT_MIN_WIDTH), size.height + 30, preferred, 24);
    const corner = cardCorner(pos, size); // the kernel's position: the top-left of the room found
    const position = { x: round1(corner.x), y: round1(corner.y) };
    return this.send({ type: 'add', card_id: cardId, position }).then(r => {
      if (!r.ok) {
        this.host.error(r.error || `Could not add ${spec.title}`);
        return null;
      }
      const uid = String(r.result?.uid);
      this.host.status(`Added ${spec.title}.`, 'ok');
      this.host.selectWhenShown(uid);
      return uid;
    });
  }

  /** Delete the selected cards (with their wires) and wires. */
  deleteSelected(): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const sel = cy.$(':selected');
    const cards = sel.nodes().map(n => n.id());
    const cardSet = new Set(cards);
    const wires = sel
      .edges()
      .filter(e => !cardSet.has(e.source().id()) && !cardSet.has(e.target().id()))
      .map(e => e.id());
    if (!cards.length && !wires.length) {
      this.host.status('Select cards or wires to delete them.', 'info');
      return;
    }
    this.send({ type: 'remove', cards, wires }).then(r => {
      if (!r.ok) {
        this.host.error(r.error || 'Could not delete');
        return;
      }
      const removed = r.result?.removed || { cards: [], wires: [] };
      const nc = removed.cards.length;
      const nw = removed.wires.length;
      const what = [nc ? plural(nc, 'card') : '', nw ? plural(nw, 'wire') : ''].filter(Boolean).join(' and ');
      this.host.status(`Deleted ${what}. Ctrl+Z brings ${nc + nw > 1 ? 'them' : 'it'} back.`, 'ok');
    });
  }

  /** Copy the selected cards and the wires between them. */
  copy(): number {
    const { cy, layer } = this.host;
    if (!cy) {
      return 0;
    }
    const cards: CopiedCard[] = [];
    cy.$('node:selected').forEach(n => {
      const e = layer.byUid.get(n.id());
      if (!e || !e.spec) {
        return;
      }
      const params: Record<string, unknown> = {};
      for (const inp of e.spec.inputs) {
        if (isParam(inp) && inp.name !== 'name') {
          const v = e.model.get(inp.name);
          if (v !== undefined) {
            params[inp.name] = v;
          }
        }
      }
      const p = layer.modelPosition(e);
      cards.push({
        uid: e.uid,
        card_id: e.spec.id,
        name: e.model.get('name') || '',
        params,
        position: { x: p.x, y: p.y }
      });
    });
    if (!cards.length) {
      this.host.status('Select cards to copy them.', 'info');
      return 0;
    }
    const wires = Array.from(layer.wires.values()).map(w => w.model.get('data') || {});
    clipboard = clipOf(cards, wires);
    this.host.status(`Copied ${plural(cards.length, 'card')}.`, 'ok');
    return cards.length;
  }

  /** Paste the copied cards (at a model point, or shifted from the originals): one undoable step. */
  paste(at: Point | null = null): void {
    if (!clipboard || !clipboard.cards.length) {
      this.host.status('Nothing to paste: copy cards first (Ctrl+C).', 'info');
      return;
    }
    const names = new Set(Array.from(this.host.layer.cards.values()).map(e => String(e.model.get('name'))));
    const req = pasteRequest(clipboard, names, at);
    const n = req.cards!.length;
    this.host.viewport.automatic = false;
    this.send(req).then(r => {
      if (!r.ok) {
        this.host.error(r.error || 'Could not paste');
        return;
      }
      const cy = this.host.cy;
      cy?.elements().unselect();
      for (const c of req.cards!) {
        this.host.selectWhenShown(String(c.uid));
      }
      this.host.status(`Pasted ${plural(n, 'card')}.`, 'ok');
    });
  }

  /** Copy and paste the selection next to it. */
  duplicate(): void {
    if (this.copy()) {
      this.paste();
    }
  }

  /** Move the selected cards by a few pixels (arrow keys). */
  nudge(dx: number, dy: number): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const positions: Record<string, Point> = {};
    const layer = this.host.layer;
    cy.$('node:selected').forEach(n => {
      const e = layer.byUid.get(n.id());
      if (!e) {
        return;
      }
      const p = layer.modelPosition(e); // kernel coordinates (a card may be moved aside in the view)
      const q = { x: round1(p.x + dx), y: round1(p.y + dy) };
      n.position(layer.nodePosition(e.uid, q));
      positions[n.id()] = q;
    });
    if (Object.keys(positions).length) {
      this.move(positions);
    }
  }

  /** Add a card and wire it to the port a dragged wire came from. */
  addConnected(
    cardId: string,
    at: Point,
    from: { uid: string; side: 'input' | 'output'; name: string },
    port: string
  ): void {
    this.addCard(cardId, at).then(uid => {
      if (!uid) {
        return;
      }
      const req: Request =
        from.side === 'output'
          ? { type: 'connect', source: from.uid, source_port: from.name, target: uid, target_port: port }
          : { type: 'connect', source: uid, source_port: port, target: from.uid, target_port: from.name };
      this.send(req).then(r => {
        if (r.ok) {
          this.host.status('Added and connected.', 'ok');
        } else {
          this.host.error(r.error || 'The kernel refused this wire');
        }
      });
    });
  }

  /** Set a parameter; resolves with the kernel's refusal, or '' when accepted. */
  setParam(uid: string, inp: InputSpec, value: unknown): Promise<string> {
    return this.send({ type: 'set_param', uid, name: inp.name, value }).then(r => {
      if (r.ok) {
        this.host.status(`${inp.label} = ${formatValue(inp, value)}`, 'ok');
        return '';
      }
      const error = r.error || 'Refused';
      this.host.error(error);
      return error;
    });
  }

  /** Undo the kernel's last change (from Python or any view). */
  undo(): Promise<void> {
    return this.step('undo');
  }

  redo(): Promise<void> {
    return this.step('redo');
  }

  private async step(kind: 'undo' | 'redo'): Promise<void> {
    const h = undoStateOf(this.host.model);
    const count = kind === 'undo' ? h.undo_count : h.redo_count;
    if (!count) {
      this.host.status(kind === 'undo' ? 'Nothing to undo.' : 'Nothing to redo.', 'info');
      return;
    }
    const r = await this.send({ type: kind });
    if (r.ok) {
      const label = r.result?.label || (kind === 'undo' ? h.undo : h.redo);
      this.host.status(`${kind === 'undo' ? 'Undone' : 'Redone'}: ${label}.`, 'ok');
    } else {
      this.host.error(`Cannot ${kind}: ${r.error || 'refused'}`);
    }
  }

  /** Tell the kernel where cards were moved; put them back if it refuses. */
  move(positions: Record<string, Point>, done?: string): void {
    this.send({ type: 'move', positions }).then(r => {
      if (r.ok) {
        if (done) {
          this.host.status(done, 'ok');
        }
        return;
      }
      this.host.error(r.error || 'The kernel refused the new positions');
      for (const uid of Object.keys(positions)) {
        const e = this.host.layer.byUid.get(uid);
        const p = e?.model.get('position');
        if (e && p && typeof p.x === 'number') {
          e.node.position(this.host.layer.nodePosition(uid, p));
        }
      }
    });
  }

  private layingOut = false;

  /**
   * Lay the graph out left to right (layout.ts, computed in steps so the page
   * stays responsive), then tell the kernel the new positions.
   */
  layout(): void {
    const { cy, layer } = this.host;
    if (!cy || !cy.nodes().length || this.layingOut) {
      return;
    }
    // the cards as the kernel has them (an expanded group at its card's size; groups.ts makes room)
    const cards = cy.nodes().filter(n => layer.byUid.has(n.id()));
    const nodes: LayoutNode[] = cards.map(n => {
      const e = layer.byUid.get(n.id())!;
      const size = layer.cardSize.get(e.uid) || e.geom;
      // room for the shape footer and preview strip too, as when a card is placed
      const height = e.spec ? Math.max(size.height, placementHeight(e.spec)) : size.height;
      return { id: n.id(), width: size.width || n.width(), height: height || n.height() };
    });
    const edges: LayoutEdge[] = cy
      .edges()
      .map(w => ({ source: w.source().id(), target: w.target().id() }))
      .filter(w => layer.byUid.has(w.source) && layer.byUid.has(w.target));
    this.layingOut = true;
    this.host.status('Laying out…', 'info');
    this.placeLaidOut(cy, nodes, edges)
      .catch(err => this.host.error(`Layout failed: ${err instanceof Error ? err.message : err}`))
      .finally(() => (this.layingOut = false));
  }

  /**
   * Compute the layout, move the cards a few at a time (a frame each, so
   * cytoscape's work for the moved cards and their wires is spread out), fit
   * and tell the kernel.
   */
  private async placeLaidOut(cy: cytoscape.Core, nodes: LayoutNode[], edges: LayoutEdge[]): Promise<void> {
    const { positions: centres } = await layeredLayout(nodes, edges);
    if (cy.destroyed()) {
      return;
    }
    const moves = [...centres].filter(([uid]) => cy.getElementById(uid).nonempty());
    const sizes = new Map(nodes.map(n => [n.id, n]));
    const positions: Record<string, Point> = {};
    for (let k = 0; k < moves.length; k += CARDS_MOVED_PER_FRAME) {
      cy.batch(() => {
        for (const [uid, p] of moves.slice(k, k + CARDS_MOVED_PER_FRAME)) {
          // the top-left of the room the layout gave the card (its height with a footer and preview)
          const c = cardCorner(p, sizes.get(uid)!);
          positions[uid] = { x: round1(c.x), y: round1(c.y) };
          cy.getElementById(uid).position(this.host.layer.nodePosition(uid, positions[uid]));
        }
      });
      await new Promise(resolve => requestAnimationFrame(resolve));
      if (cy.destroyed()) {
        return;
      }
    }
    this.host.viewport.fit();
    this.move(positions, 'Laid out left to right.');
  }
}

/**
 * Card drags: remembers where grabbed cards started and, once the drag ends,
 * sends one `move` for every card that moved (a drag of a selection is one
 * change in the kernel's history).
 */
export class MoveTracker {
  private start = new Map<string, Point>();
  private moved = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private layer: CardLayer,
    private send: (positions: Record<string, Point>) => void
  ) {}

  /** True while a card is being dragged (its kernel position waits). */
  dragging(uid: string): boolean {
    return this.start.has(uid);
  }

  bind(cy: cytoscape.Core): void {
    cy.on('grab', 'node', ev => {
      const n = ev.target as cytoscape.NodeSingular;
      this.start.set(n.id(), { ...n.position() });
    });
    cy.on('dragfree', 'node', ev => {
      this.moved.add((ev.target as cytoscape.NodeSingular).id());
      if (!this.timer) {
        this.timer = setTimeout(() => this.flush(), 10);
      }
    });
    cy.on('free', 'node', ev => {
      // 'free' comes before 'dragfree': decide once both have been seen.
      const id = (ev.target as cytoscape.NodeSingular).id();
      setTimeout(() => {
        if (!this.moved.has(id)) {
          this.start.delete(id);
        }
      }, 0);
    });
  }

  private flush(): void {
    this.timer = null;
    const positions: Record<string, Point> = {};
    for (const uid of this.moved) {
      const e = this.layer.byUid.get(uid);
      const start = this.start.get(uid);
      this.start.delete(uid);
      if (!e || !start) {
        continue;
      }
      const p = e.node.position();
      if (Math.abs(p.x - start.x) < 0.5 && Math.abs(p.y - start.y) < 0.5) {
        continue;
      }
      const q = this.layer.modelPosition(e); // less the view-only shift of groups.ts
      positions[uid] = { x: round1(q.x), y: round1(q.y) };
    }
    this.moved.clear();
    if (Object.keys(positions).length) {
      this.send(positions);
    }
  }
}
