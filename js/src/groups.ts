/**
 * Nested models as collapsible groups on the canvas: the controller. A
 * nested-model card (card id "model:...", its inner graph in its `graph`
 * parameter, groupdoc.ts) shows a toggle in its header ("▸ 3 layers");
 * expanded (the card's synced `expanded` trait, so the kernel keeps the state)
 * its node becomes a frame (groupframe.ts) around its inner cards and wires,
 * laid out by grouplayout.ts. The frame keeps the card's ports on its edges:
 * outer wires stay attached, inner wires leave the frame's input dots and
 * enter its output dots. Inner cards are read-only.
 *
 * Nothing is hidden under a frame: the cards right of an expanded group move
 * right and the cards below it move down, in the view only (`CardLayer.shift`,
 * offsets from grouplayout's `makeRoom`), just far enough to clear it; the
 * kernel's positions do not change, and collapsing puts everything back.
 */

import type cytoscape from 'cytoscape';

import { CanvasAdapter } from './canvas';
import { CardEntry, CardLayer } from './cardlayer';
import { faceTheme } from './cardsvg';
import { typeColor } from './colors';
import { formatCount, formatShape } from './format';
import { CARD, CardGeometry, endpointStyle } from './geometry';
import { innerDoc, InnerShape, isNestedSpec, toggleLabel } from './groupdoc';
import { FRAME, frameSvg, ToggleBox, toggleBox, withToggle } from './groupframe';
import { GroupLayout, layoutGroup, makeRoom, PlacedWire, RoomCard } from './grouplayout';
import { farLook, LOD_CLASSES, lodClasses, nodeBand, wireBand } from './lod';
import { CardSpec, Point } from './types';
import { wireCurve } from './wiring';

/** Node data of an inner card's far-out drawing (name, kind, colours), as the card layer's. */
function farData(c: { spec: CardSpec; name: string; geom: CardGeometry }): Record<string, string | number> {
  const look = farLook(c.name, c.spec.title, c.spec.category, c.geom.width);
  return { ...look, shared: look.kind };
}

/**
 * Mark a frame open or closed and draw its outer wires at the band that
 * follows (lod.wireBand): curves to its port dots while it is open, even far out.
 */
function markOpen(node: cytoscape.NodeSingular, open: boolean): void {
  node.data('openGroup', open);
  const band = nodeBand(node);
  node.connectedEdges('.wire').forEach(w => {
    w.removeClass(LOD_CLASSES.join(' '));
    const b = wireBand(w, Math.max(band, 0));
    if (b) {
      w.addClass(lodClasses(b));
    }
  });
}

/** What the groups need from the editor view. */
export interface GroupsHost {
  readonly canvas: CanvasAdapter;
  readonly layer: CardLayer;
  readonly specs: Map<string, CardSpec>;
  status(msg: string): void;
}

interface Drawn {
  uid: string;
  /** The inner graph, shapes, theme and catalogue it was laid out for. */
  key: unknown[];
  layout: GroupLayout;
  /** The card's size when collapsed. */
  card: { width: number; height: number };
  nodes: cytoscape.NodeSingular[];
  /** Invisible nodes at the frame's port dots, where inner wires start and end. */
  anchors: { node: cytoscape.NodeSingular; side: 'input' | 'output'; port: string }[];
  edges: cytoscape.EdgeSingular[];
  /** Face URLs (in the face cache) and SVG markup of the inner cards. */
  faces: string[];
  svgs: Map<string, string>;
}

/** Drawing order: an expanded frame under its inner cards, every wire above the cards. */
const FRAME_Z = 0;
const INNER_Z = 1;
const WIRE_Z = 2;
/** Far out, a frame's name is drawn this far below its top edge (inside its header and band). */
const FRAME_LABEL_DROP = CARD.headerHeight + FRAME.band;

export class Groups {
  /** Expanded groups, by card uid (laid out; drawn once their frame is on the canvas). */
  private drawn = new Map<string, Drawn>();
  /** Groups being laid out (async), by card uid, with the key they are laid out for. */
  private pending = new Map<string, unknown[]>();
  /** Collapsed nested cards' toggles, by card uid (local boxes). */
  private toggles = new Map<string, ToggleBox>();
  private watched = new Set<any>();
  /** Nested cards' sizes when collapsed (their usual face), by uid. */
  private sizes = new Map<string, { width: number; height: number }>();
  private placing = false;
  private roomFrame = 0;

  constructor(private host: GroupsHost) {}

  private get cy(): cytoscape.Core {
    return this.host.canvas.cy!;
  }

  /** Inner element ids are "<group uid>/<inner id>". */
  static innerId(group: string, id: string): string {
    return `${group}/${id}`;
  }

  /** The group an inner card or wire of the canvas belongs to, or null. */
  groupOf(id: string): string | null {
    const k = id.indexOf('/');
    const uid = k > 0 ? id.slice(0, k) : '';
    return this.drawn.has(uid) ? uid : null;
  }

  isExpanded(uid: string): boolean {
    return this.drawn.has(uid);
  }

  /** Follow the canvas: frames dragged carry their inner cards; moved cards make room again. */
  bind(cy: cytoscape.Core): void {
    cy.on('position', 'node', ev => {
      if (this.placing || !this.drawn.size) {
        return;
      }
      const id = ev.target.id();
      const d = this.drawn.get(id);
      if (d) {
        this.placeInner(d);
      }
      if (!this.groupOf(id) && !ev.target.grabbed()) {
        this.scheduleRoom();
      }
    });
    cy.on('free', 'node', () => this.drawn.size && this.scheduleRoom());
  }

  /** Cards were added or removed: watch the nested ones, draw or drop their groups. */
  update(): void {
    const layer = this.host.layer;
    for (const e of layer.cards.values()) {
      if (isNestedSpec(e.spec) && !this.watched.has(e.model)) {
        this.watched.add(e.model);
        e.model.on('change:expanded change:graph change:inner_shapes', () => this.refresh(e.uid), this);
      }
    }
    for (const uid of Array.from(this.drawn.keys())) {
      if (!layer.byUid.has(uid)) {
        this.remove(uid);
      }
    }
    for (const e of layer.cards.values()) {
      if (isNestedSpec(e.spec) && e.model.get('expanded')) {
        this.refresh(e.uid);
      }
    }
    this.scheduleRoom();
  }

  dispose(): void {
    for (const m of this.watched) {
      m.off(null, null, this);
    }
    this.watched.clear();
    if (this.roomFrame) {
      cancelAnimationFrame(this.roomFrame);
    }
  }

  /** Expand or collapse a group: the kernel keeps the state (the card's `expanded`). */
  toggle(uid: string): void {
    const e = this.host.layer.byUid.get(uid);
    if (!e || !isNestedSpec(e.spec)) {
      return;
    }
    const open = !e.model.get('expanded');
    e.model.set('expanded', open);
    e.model.save_changes();
    const name = e.model.get('name');
    this.host.status(open ? `Expanded '${name}'.` : `Collapsed '${name}'.`);
  }

  /** A tap on a card at a local point: true when it hit the group toggle (and toggled). */
  tap(uid: string, local: Point): boolean {
    const d = this.drawn.get(uid);
    const box = d ? d.layout.toggle : this.toggles.get(uid);
    if (!box) {
      return false;
    }
    const m = 3;
    if (local.x >= box.x - m && local.x <= box.x + box.w + m && local.y >= box.y - m && local.y <= box.y + box.h + m) {
      this.toggle(uid);
      return true;
    }
    return false;
  }

  /** Said when an inner card is double-clicked: where it can be changed. */
  readOnlyNote(id: string): string | null {
    const group = this.groupOf(id);
    if (!group) {
      return null;
    }
    const name = this.host.layer.cardName(group);
    return `Cards inside '${name}' are read-only: ed['${name}'].inner opens a copy in Python.`;
  }

  /**
   * The face of a card as the card layer draws it: a nested card gets its
   * toggle; an expanded one is drawn as its frame.
   */
  face(e: { uid: string; model: any; spec: CardSpec | null }, face: { geom: CardGeometry; svg: string }) {
    if (!isNestedSpec(e.spec)) {
      return face;
    }
    const doc = innerDoc(e.model);
    const d = this.drawn.get(e.uid);
    this.sizes.set(e.uid, { width: face.geom.width, height: face.geom.height });
    if (d && e.model.get('expanded')) {
      this.toggles.delete(e.uid);
      // the theme or the catalogue changed: the inner faces are drawn again (if so)
      Promise.resolve().then(() => this.refresh(e.uid));
      const shape = formatShape(e.model.get('output_shape'));
      const pc = e.model.get('param_count');
      const svg = frameSvg(e.spec!, d.layout, {
        name: e.model.get('name') || '',
        label: toggleLabel(doc, true),
        shape,
        params: typeof pc === 'number' ? `${formatCount(pc)} param${pc === 1 ? '' : 's'}` : '',
        error: e.model.get('error') || '',
        connected: this.host.layer.connected.get(e.uid)
      });
      return { geom: d.layout.frame, svg };
    }
    const label = toggleLabel(doc, false);
    const box = toggleBox(face.geom.width, label, !!e.model.get('error'));
    this.toggles.set(e.uid, box);
    return { geom: face.geom, svg: withToggle(face.svg, box, label) };
  }

  /** The group's wanted state changed (or what it shows): lay it out again, or collapse it. */
  private refresh(uid: string): void {
    const layer = this.host.layer;
    const e = layer.byUid.get(uid);
    if (!e || !this.host.canvas.alive) {
      return;
    }
    const doc = innerDoc(e.model);
    if (!e.model.get('expanded') || !doc) {
      if (this.drawn.has(uid)) {
        this.remove(uid);
        layer.redrawCard(e, true);
        this.scheduleRoom();
      } else {
        layer.redrawCard(e);
      }
      return;
    }
    const shapes = e.model.get('inner_shapes') || {};
    const key = [doc, shapes, faceTheme.dark, this.host.specs.size, e.model.get('name')];
    const same = (k: unknown[] | undefined): boolean => !!k && k.every((v, i) => v === key[i]);
    if (same(this.drawn.get(uid)?.key) || same(this.pending.get(uid))) {
      return;
    }
    this.pending.set(uid, key);
    const title = e.spec!.title;
    layoutGroup(e.spec!, doc, this.host.specs, shapes, { title, name: e.model.get('name') || '' }).then(
      ({ layout, faces }) => {
        if (this.pending.get(uid) !== key || !this.host.canvas.alive || !layer.byUid.has(uid)) {
          return;
        }
        this.pending.delete(uid);
        const old = this.drawn.get(uid);
        const card = this.sizes.get(uid) || { width: e.geom.width, height: e.geom.height };
        if (old) {
          this.removeElements(old);
        }
        const d: Drawn = { uid, key, layout, card, nodes: [], anchors: [], edges: [], faces: [], svgs: faces };
        this.drawn.set(uid, d);
        this.addElements(d, faces);
        markOpen(e.node, true);
        // under its inner cards; far out, its name in its header (clear of the inner boxes)
        e.node.style({ 'z-index': FRAME_Z, 'text-valign': 'top', 'text-margin-y': FRAME_LABEL_DROP });
        layer.redrawCard(e, true);
        this.makeRoom();
      },
      err => {
        this.pending.delete(uid);
        this.host.status(`Could not lay out the group '${e.model.get('name')}': ${err?.message || err}`);
      }
    );
  }

  private remove(uid: string): void {
    const d = this.drawn.get(uid);
    this.pending.delete(uid);
    if (d) {
      this.removeElements(d);
      this.drawn.delete(uid);
      const e = this.host.layer.byUid.get(uid);
      if (e && !e.node.removed()) {
        e.node.removeStyle('z-index text-valign text-margin-y');
        markOpen(e.node, false);
      }
    }
  }

  private addElements(d: Drawn, faces: Map<string, string>): void {
    const cy = this.cy;
    const cache = this.host.canvas.faces!;
    // the level of detail the cards are drawn at (far out: boxes with names), as on the frame
    const frame = this.host.layer.byUid.get(d.uid)?.node;
    const lod = ((frame?.classes() as unknown as string[]) || []).filter(c => /^nnc-(far|lod)/.test(c)).join(' ');
    cy.batch(() => {
      for (const c of d.layout.cards) {
        const url = cache.add(faces.get(c.uid)!);
        d.faces.push(url);
        const node = cy.add({
          group: 'nodes',
          data: {
            id: Groups.innerId(d.uid, c.uid),
            face: url,
            w: c.geom.width,
            h: c.geom.height,
            title: `${c.spec.title}\n${c.name}`,
            ...farData(c),
            group: d.uid
          },
          position: { x: 0, y: 0 },
          classes: 'card nnc-inner' + (lod ? ' ' + lod : '')
        }) as unknown as cytoscape.NodeSingular;
        node.style('z-index', INNER_Z);
        node.ungrabify();
        node.unselectify();
        d.nodes.push(node);
      }
    });
    this.placeInner(d);
    const shapes: Record<string, InnerShape> = (this.host.layer.byUid.get(d.uid)?.model.get('inner_shapes') ||
      {}) as Record<string, InnerShape>;
    cy.batch(() => {
      // wires from and to the frame's ports end on anchors at its port dots: the frame's own
      // edges stay the outer wires (which the card layer keeps attached)
      const anchor = (side: 'input' | 'output', port: string): string => {
        const id = Groups.innerId(d.uid, `${side}:${port}`);
        if (cy.getElementById(id).empty()) {
          const node = cy.add({
            group: 'nodes',
            data: { id, w: 1, h: 1, group: d.uid },
            position: { x: 0, y: 0 },
            classes: 'nnc-inner nnc-anchor'
          }) as unknown as cytoscape.NodeSingular;
          node.style({
            'background-opacity': 0,
            'border-width': 0,
            'background-image': 'none',
            label: '',
            events: 'no'
          });
          node.ungrabify();
          node.unselectify();
          d.anchors.push({ node, side, port });
        }
        return id;
      };
      for (const w of d.layout.wires) {
        const src = w.source ? Groups.innerId(d.uid, w.source) : anchor('input', w.sourcePort);
        const tgt = w.target ? Groups.innerId(d.uid, w.target) : anchor('output', w.targetPort);
        const sg = w.source ? d.layout.cards.find(c => c.uid === w.source)!.geom : null;
        const tg = w.target ? d.layout.cards.find(c => c.uid === w.target)!.geom : null;
        const edge = cy.add({
          group: 'edges',
          data: {
            id: Groups.innerId(d.uid, w.id),
            source: src,
            target: tgt,
            sep: endpointStyle(sg, 'output', w.sourcePort),
            tep: endpointStyle(tg, 'input', w.targetPort),
            ...this.curve(d, w),
            color: typeColor(w.type),
            shape: shapes[w.from]?.ports?.[w.fromPort] || '',
            port_type: w.type,
            group: d.uid
          },
          classes: 'wire nnc-inner' + (lod ? ' ' + lod : '')
        }) as unknown as cytoscape.EdgeSingular;
        edge.style('z-index', WIRE_Z);
        edge.unselectify();
        d.edges.push(edge);
      }
    });
    this.placeInner(d);
  }

  private removeElements(d: Drawn): void {
    const cache = this.host.canvas.faces;
    this.cy.batch(() => {
      for (const el of [...d.edges, ...d.nodes, ...d.anchors.map(a => a.node)]) {
        if (!el.removed()) {
          el.remove();
        }
      }
    });
    d.faces.forEach(url => cache?.drop(url));
    d.nodes = [];
    d.edges = [];
    d.anchors = [];
    d.faces = [];
  }

  /** Frame-local point of a wire end (a port of an inner card, or of the frame). */
  private localPort(
    d: Drawn,
    uid: string | null,
    side: 'input' | 'output',
    port: string
  ): { centre: Point; port: Point } {
    const f = d.layout.frame;
    if (!uid) {
      const p = (side === 'input' ? f.inputPorts : f.outputPorts)[port] || { x: 0, y: 0 };
      return { centre: p, port: p };
    }
    const c = d.layout.cards.find(k => k.uid === uid)!;
    const p = (side === 'input' ? c.geom.inputPorts : c.geom.outputPorts)[port] || {
      x: c.geom.width / 2,
      y: c.geom.height / 2
    };
    return {
      centre: c.centre,
      port: { x: c.centre.x - c.geom.width / 2 + p.x, y: c.centre.y - c.geom.height / 2 + p.y }
    };
  }

  /** The bend of an inner wire: the frame moves as a whole, so it never changes. */
  private curve(d: Drawn, w: PlacedWire): Record<string, string> {
    const s = this.localPort(d, w.source, w.source ? 'output' : 'input', w.sourcePort);
    const t = this.localPort(d, w.target, w.target ? 'input' : 'output', w.targetPort);
    const c = wireCurve(s.centre, t.centre, s.port, t.port);
    return c ? { cpw: c.weights, cpd: c.distances } : { cpw: '0.5 0.5', cpd: '0 0' };
  }

  /** Put the inner cards where their frame is. */
  private placeInner(d: Drawn): void {
    const e = this.host.layer.byUid.get(d.uid);
    if (!e || (!d.nodes.length && !d.anchors.length)) {
      return;
    }
    const c = e.node.position();
    const x0 = c.x - d.layout.frame.width / 2;
    const y0 = c.y - d.layout.frame.height / 2;
    this.placing = true;
    try {
      this.cy.batch(() => {
        d.layout.cards.forEach((ic, k) => d.nodes[k].position({ x: x0 + ic.centre.x, y: y0 + ic.centre.y }));
        const f = d.layout.frame;
        for (const a of d.anchors) {
          const p = (a.side === 'input' ? f.inputPorts : f.outputPorts)[a.port];
          if (p) {
            a.node.position({ x: x0 + p.x, y: y0 + p.y });
          }
        }
      });
    } finally {
      this.placing = false;
    }
  }

  private scheduleRoom(): void {
    if (this.roomFrame) {
      return;
    }
    this.roomFrame = requestAnimationFrame(() => {
      this.roomFrame = 0;
      if (this.host.canvas.alive && !this.cy.$('node:grabbed').length) {
        this.makeRoom();
      }
    });
  }

  /** Move cards aside (view only) so that no card is under an expanded frame. */
  makeRoom(): void {
    const layer = this.host.layer;
    for (const uid of [...layer.shift.keys(), ...layer.cardSize.keys()]) {
      if (!layer.byUid.has(uid)) {
        layer.shift.delete(uid); // a card removed (undo may bring it back: at its kernel position)
        layer.cardSize.delete(uid);
      }
    }
    if (!this.drawn.size && !layer.shift.size) {
      return;
    }
    const cards: RoomCard[] = [];
    for (const e of layer.cards.values()) {
      const p = layer.modelPosition(e);
      const d = this.drawn.get(e.uid);
      const size = this.sizes.get(e.uid) || { width: e.geom.width, height: e.geom.height };
      cards.push({
        uid: e.uid,
        box: { x: p.x, y: p.y, w: size.width, h: size.height }, // p: the card's top-left corner
        frame: d ? { w: d.layout.frame.width, h: d.layout.frame.height } : undefined
      });
    }
    const shift = makeRoom(cards);
    const moved: CardEntry[] = [];
    for (const e of layer.cards.values()) {
      const old = layer.shift.get(e.uid) || { x: 0, y: 0 };
      const now = shift.get(e.uid) || { x: 0, y: 0 };
      if (old.x !== now.x || old.y !== now.y || this.drawn.has(e.uid)) {
        moved.push(e);
      }
    }
    this.placing = true;
    try {
      this.cy.batch(() => {
        for (const e of moved) {
          const p = layer.modelPosition(e);
          const now = shift.get(e.uid);
          if (now) {
            layer.shift.set(e.uid, now);
          } else {
            layer.shift.delete(e.uid);
          }
          layer.cardSize.delete(e.uid);
          const d = this.drawn.get(e.uid);
          if (d) {
            layer.cardSize.set(e.uid, d.card);
          }
          e.node.position(layer.nodePosition(e.uid, p));
        }
      });
    } finally {
      this.placing = false;
    }
    for (const d of this.drawn.values()) {
      this.placeInner(d);
    }
    layer.updateCurves(moved.map(e => e.uid));
  }

  /** Inner cards on the canvas (corner, size, face) and inner wires, for the picture export. */
  pictureParts(): {
    cards: { x: number; y: number; width: number; height: number; svg: string }[];
    edges: cytoscape.EdgeSingular[];
  } {
    const cards: { x: number; y: number; width: number; height: number; svg: string }[] = [];
    const edges: cytoscape.EdgeSingular[] = [];
    for (const d of this.drawn.values()) {
      d.layout.cards.forEach((c, k) => {
        const n = d.nodes[k];
        if (n && !n.removed()) {
          const p = n.position();
          const svg = d.svgs.get(c.uid) || '';
          cards.push({
            x: p.x - c.geom.width / 2,
            y: p.y - c.geom.height / 2,
            width: c.geom.width,
            height: c.geom.height,
            svg
          });
        }
      });
      edges.push(...d.edges.filter(e => !e.removed()));
    }
    return { cards, edges };
  }
}
