/**
 * The card layer: keeps the cytoscape elements in line with the graph's Card
 * and Wire models (graph -> canvas). Every card becomes a node whose face is
 * an SVG image, every wire an edge pinned to its ports. Also answers "what is
 * at this point" for the interactions.
 */

import type cytoscape from 'cytoscape';

import { CanvasAdapter } from './canvas';
import { cardSvg, svgDataUri } from './cardsvg';
import { sharedColor, typeColor } from './colors';
import { connectionsOf, layerUsersOf, sameSet, WireEnds } from './connections';
import { cardBox, intersects, wireBox } from './culling';
import { farLook, lodClasses } from './lod';
import { ellipsize, formatCount, formatShape, hasPreview, pendingNote, PreviewData, previewLines } from './format';
import { CARD, cardCentre, cardCorner, CardGeometry, endpointStyle, hitPort, layoutCard, PortHit } from './geometry';
import { CardSpec, isParam, Point, TENSOR } from './types';
import { Box, Footprint } from './viewport';
import { Side, wireCurve, wireHandles } from './wiring';

export interface CardEntry {
  cid: string;
  uid: string;
  model: any;
  spec: CardSpec | null;
  geom: CardGeometry;
  /** SVG markup of the face on the canvas, and the URL it is drawn from (node data 'face'). */
  svg: string;
  face: string;
  /** The newest face while its image is being decoded (swapped in when ready). */
  pending: { svg: string; geom: CardGeometry; seq: number } | null;
  node: cytoscape.NodeSingular;
}

export interface WireEntry {
  cid: string;
  id: string;
  model: any;
  edge: cytoscape.EdgeSingular | null;
}

/** Card traits whose change does not change the face. */
const SKIP_REDRAW = new Set([
  'position',
  'selected',
  'grabbed',
  'removed',
  'locked',
  'grabbable',
  'selectable',
  'pannable',
  'classes'
]);

/** What the card layer needs from the editor. */
export interface CardLayerHost {
  readonly model: any;
  readonly specs: Map<string, CardSpec>;
  readonly canvas: CanvasAdapter;
  readonly timings: Record<string, number>;
  /** Cards are drawn far out (plain boxes). */
  isFar(): boolean;
  /** The far-out band new cards are drawn in (lod.ts), when far. */
  lodBand?(): number;
  /** The user is dragging this card (positions from the kernel wait). */
  isDragging(uid: string): boolean;
  /** Cards or wires were added or removed. */
  elementsChanged(): void;
  /** A card's values changed (redrawn). */
  cardChanged(uid: string): void;
  /** A wire's data or shape changed. */
  wireChanged(): void;
  /** The face to draw for a card, given its usual face (groups.ts: nested-model cards). */
  adjustFace?(e: { uid: string; model: any; spec: CardSpec | null }, face: FaceParts): FaceParts;
}

/** A card face: its geometry and SVG markup. */
export interface FaceParts {
  geom: CardGeometry;
  svg: string;
}

/** A card whose preview no longer matches the graph. */
export function isStale(m: any): boolean {
  return !!m.get('stale') && hasPreview(m.get('preview'));
}

/** A card with a real error (not merely unfinished: see pendingNote). */
export function hasError(m: any): boolean {
  const error: string = m.get('error') || '';
  return !!error && !pendingNote(error);
}

/** A card whose layer other cards call too. */
function isShared(m: any): boolean {
  return (m.get('shared_by') || []).length > 0;
}

function cardClasses(m: any): string {
  return (
    'card' + (hasError(m) ? ' nnc-error' : '') + (isStale(m) ? ' nnc-stale' : '') + (isShared(m) ? ' nnc-shared' : '')
  );
}

function unknownSpec(cardId: string): CardSpec {
  return { id: cardId, title: cardId || 'Card', category: [], inputs: [], outputs: [] };
}

export class CardLayer {
  readonly cards = new Map<string, CardEntry>();
  readonly byUid = new Map<string, CardEntry>();
  readonly wires = new Map<string, WireEntry>();
  /** Ports with a wire, per card uid ("in:<port>" / "out:<port>"). */
  connected = new Map<string, Set<string>>();
  /** Cards whose helper ports are all shown (their "+" row was clicked). */
  readonly expanded = new Set<string>();
  /** Wrapper card uid by the uid of a card used only as its "Layer instance". */
  layerUsers = new Map<string, string>();
  /**
   * View-only offsets of card nodes from their kernel positions (node = model
   * position + shift), set by groups.ts for expanded groups and the cards moved
   * aside for them. Never sent to the kernel (see modelPosition).
   */
  readonly shift = new Map<string, Point>();
  /**
   * The card size of a card drawn larger than its card (an expanded group is
   * drawn as its frame, `geom`): what the Layout button lays out.
   */
  readonly cardSize = new Map<string, { width: number; height: number }>();
  private faceSeq = 0;
  private syncScheduled = false;
  /** Cards moved since the last frame: their wires' curves are recomputed once per frame. */
  private movedCards = new Set<string>();
  private curveFrame = 0;

  constructor(private host: CardLayerHost) {
    host.canvas.boxOf = (id, isNode) => (isNode ? this.cardBoxOf(id) : this.wireBoxOf(id));
  }

  private get cy(): cytoscape.Core {
    return this.host.canvas.cy!;
  }

  private graphModels(): { nodes: any[]; edges: any[] } {
    const graph = this.host.model.get('graph');
    return { nodes: (graph && graph.get('nodes')) || [], edges: (graph && graph.get('edges')) || [] };
  }

  /** Sync in a microtask (several model changes arrive together). */
  scheduleSync(): void {
    if (this.syncScheduled) {
      return;
    }
    this.syncScheduled = true;
    Promise.resolve().then(() => {
      this.syncScheduled = false;
      this.sync();
    });
  }

  /** Bring the cytoscape elements in line with the graph's card and wire models. */
  sync(): void {
    if (!this.host.canvas.alive) {
      return;
    }
    const { nodes, edges } = this.graphModels();
    const nodeCids = new Set(nodes.map(m => m.cid));
    const edgeCids = new Set(edges.map(m => m.cid));
    let changed = false;
    if (!this.cards.size) {
      // First fill: know the wired ports before drawing faces, so each face is drawn once.
      const data = edges.map(m => m.get('data') || {});
      this.connected = connectionsOf(data);
      this.layerUsers = layerUsersOf(data);
    }
    this.cy.batch(() => {
      for (const [cid, w] of Array.from(this.wires.entries())) {
        if (!edgeCids.has(cid)) {
          this.removeWire(w);
          changed = true;
        }
      }
      for (const [cid, c] of Array.from(this.cards.entries())) {
        if (!nodeCids.has(cid)) {
          this.removeCard(c);
          changed = true;
        }
      }
      for (const m of nodes) {
        if (!this.cards.has(m.cid)) {
          this.addCard(m);
          changed = true;
        }
      }
      for (const m of edges) {
        const w = this.wires.get(m.cid);
        if (!w) {
          this.addWire(m);
          changed = true;
        } else if (!w.edge) {
          this.placeWire(w);
        }
      }
    });
    if (changed) {
      this.updateConnections();
      this.host.elementsChanged();
    }
  }

  /** Stop listening to the models. */
  dispose(): void {
    for (const e of this.cards.values()) {
      e.pending = null;
      e.model.off(null, null, this);
    }
    for (const w of this.wires.values()) {
      w.model.off(null, null, this);
    }
  }

  /** The card's name, whether or not it is on the canvas yet. */
  cardName(uid: string): string {
    const e = this.byUid.get(uid);
    if (e) {
      return e.model.get('name') || '';
    }
    const m = this.graphModels().nodes.find((n: any) => String(n.get('data')?.id) === uid);
    return m ? m.get('name') || '' : '';
  }

  /**
   * "layer inside 'bidirectional'" for a card used only through its Layer
   * instance (e.g. an LSTM wrapped by a Bidirectional): it has no output of its
   * own, and that is fine.
   */
  private layerNote(uid: string): string {
    const user = this.layerUsers.get(uid);
    if (!user) {
      return '';
    }
    const name = this.cardName(user);
    return name ? `layer inside '${name}'` : 'layer inside a wrapper';
  }

  /** Values and footer texts of a card, from its model. */
  private cardContent(uid: string, m: any, spec: CardSpec) {
    const values: Record<string, unknown> = {};
    for (const inp of spec.inputs) {
      if (isParam(inp)) {
        values[inp.name] = inp.name === 'name' ? m.get('name') : m.get(inp.name);
      }
    }
    const shape = formatShape(m.get('output_shape'));
    const pc = m.get('param_count');
    const params = typeof pc === 'number' ? `${formatCount(pc)} param${pc === 1 ? '' : 's'}` : '';
    const raw: string = m.get('error') || '';
    const pending = pendingNote(raw);
    const error = pending ? '' : raw;
    const note = pending || (!error && !shape ? this.layerNote(uid) : '');
    const footer = error ? 'error' : [shape || note, params].filter(Boolean).join('   ');
    return { values, shape, params, error, footer, note };
  }

  private faceFor(e: { model: any; spec: CardSpec | null; uid: string }): { geom: CardGeometry; svg: string } {
    const spec = e.spec || unknownSpec(e.model.get('card_id'));
    const c = this.cardContent(e.uid, e.model, spec);
    const name: string = e.model.get('name') || '';
    const pv: PreviewData | null = hasPreview(e.model.get('preview')) ? e.model.get('preview') : null;
    const lines = pv ? previewLines(pv) : null;
    const geom = layoutCard(spec, {
      values: c.values,
      subtitle: name,
      footer: c.footer,
      connected: this.connected.get(e.uid),
      expanded: this.expanded.has(e.uid),
      preview: lines ? [lines.caption, lines.stats] : null
    });
    const svg = cardSvg(spec, geom, {
      title: spec.title,
      subtitle: name,
      shape: c.error ? ellipsize(c.error, Math.floor((geom.width - 2 * CARD.padX) / 6)) : c.shape,
      note: c.note,
      params: c.error ? '' : c.params,
      error: c.error || undefined,
      connected: this.connected.get(e.uid),
      training: e.model.get('training'),
      sharedBy: e.model.get('shared_by') || [],
      sharedColor: sharedColor([name, ...(e.model.get('shared_by') || [])]),
      preview:
        pv && lines
          ? { image: pv.image || '', caption: lines.caption, stats: lines.stats, stale: !!e.model.get('stale') }
          : null
    });
    return this.host.adjustFace ? this.host.adjustFace(e, { geom, svg }) : { geom, svg };
  }

  /**
   * Where a card is in the kernel's coordinates: the top-left corner of its own
   * box (geometry.cardCentre), less its view-only shift.
   */
  modelPosition(e: CardEntry): Point {
    const c = cardCorner(e.node.position(), this.cardSize.get(e.uid) || e.geom);
    const s = this.shift.get(e.uid);
    return s ? { x: c.x - s.x, y: c.y - s.y } : c;
  }

  /** Where a card's node (its centre) goes for a kernel position (its top-left corner). */
  nodePosition(uid: string, p: Point, geom?: CardGeometry): Point {
    const size = this.cardSize.get(uid) || geom || this.byUid.get(uid)?.geom || { width: 0, height: 0 };
    const c = cardCentre(p, size);
    const s = this.shift.get(uid);
    return s ? { x: c.x + s.x, y: c.y + s.y } : c;
  }

  /** Node data of the far-out drawing (lod.ts): name, kind, colours, the label's width. */
  private farData(spec: CardSpec | null, m: any, geom: CardGeometry): Record<string, string | number | boolean> {
    const name: string = m.get('name') || '';
    return {
      ...farLook(name, spec ? spec.title : m.get('card_id'), spec?.category, geom.width),
      shared: sharedColor([name, ...(m.get('shared_by') || [])]),
      isShared: isShared(m),
      hasError: hasError(m)
    };
  }

  private addCard(m: any): void {
    const uid = String(m.get('data')?.id);
    const spec = this.host.specs.get(m.get('card_id')) || null;
    const { geom, svg } = this.faceFor({ model: m, spec, uid });
    const face = this.host.canvas.faces!.add(svg);
    const pos = m.get('position') || {};
    const node = this.cy.add({
      group: 'nodes',
      data: {
        id: uid,
        face,
        w: geom.width,
        h: geom.height,
        ...this.farData(spec, m, geom)
      },
      position: this.nodePosition(uid, { x: Number(pos.x) || 0, y: Number(pos.y) || 0 }, geom),
      classes: cardClasses(m) + (this.host.isFar() ? ' ' + lodClasses(this.host.lodBand?.() || 1) : '')
    }) as unknown as cytoscape.NodeSingular;
    const entry: CardEntry = { cid: m.cid, uid, model: m, spec, geom, svg, face, pending: null, node };
    this.cards.set(m.cid, entry);
    this.byUid.set(uid, entry);
    m.on('change', () => this.onCardModelChange(entry), this);
  }

  private removeCard(e: CardEntry): void {
    e.model.off(null, null, this);
    e.pending = null;
    this.host.canvas.faces!.drop(e.face);
    this.cards.delete(e.cid);
    if (this.byUid.get(e.uid) === e) {
      this.byUid.delete(e.uid);
      if (!e.node.removed()) {
        e.node.remove();
      }
    }
  }

  private addWire(m: any): void {
    const w: WireEntry = { cid: m.cid, id: String(m.get('data')?.id), model: m, edge: null };
    this.wires.set(m.cid, w);
    this.placeWire(w);
    m.on(
      'change:shape change:data',
      () => {
        if (w.edge) {
          w.edge.data('shape', m.get('shape') || '');
        } else {
          this.placeWire(w);
        }
        this.host.wireChanged();
      },
      this
    );
  }

  /** Create the edge of a wire once both of its cards are on the canvas. */
  private placeWire(w: WireEntry): void {
    const d = w.model.get('data') || {};
    const src = this.byUid.get(String(d.source));
    const tgt = this.byUid.get(String(d.target));
    if (!src || !tgt || this.cy.getElementById(w.id).length) {
      return;
    }
    w.edge = this.cy.add({
      group: 'edges',
      data: {
        id: w.id,
        source: src.uid,
        target: tgt.uid,
        sep: endpointStyle(src.geom, 'output', d.source_port),
        tep: endpointStyle(tgt.geom, 'input', d.target_port),
        ...this.curveData(src, tgt, d.source_port, d.target_port),
        color: typeColor(d.port_type || TENSOR),
        shape: w.model.get('shape') || '',
        port_type: d.port_type,
        source_port: d.source_port,
        target_port: d.target_port
      },
      classes: 'wire' + (this.host.isFar() ? ' ' + lodClasses(this.host.lodBand?.() || 1) : '')
    }) as unknown as cytoscape.EdgeSingular;
  }

  /** The edge data that bends a wire between its two port dots (see wireCurve). */
  private curveData(src: CardEntry, tgt: CardEntry, sourcePort: string, targetPort: string): Record<string, string> {
    const sc = src.node.position();
    const tc = tgt.node.position();
    const sp = this.portPoint(src.uid, 'output', sourcePort) || sc;
    const tp = this.portPoint(tgt.uid, 'input', targetPort) || tc;
    const curve = wireCurve(sc, tc, sp, tp);
    return curve ? { cpw: curve.weights, cpd: curve.distances } : { cpw: '0.5 0.5', cpd: '0 0' };
  }

  /** Bend the wires of these cards again (their cards moved or changed size). */
  updateCurves(uids: Iterable<string>): void {
    const edges = new Set<cytoscape.EdgeSingular>();
    for (const uid of uids) {
      const e = this.byUid.get(uid);
      if (e && !e.node.removed()) {
        e.node.connectedEdges().forEach(edge => {
          edges.add(edge);
        });
      }
    }
    if (!edges.size) {
      return;
    }
    this.cy.batch(() => {
      for (const edge of edges) {
        const d = edge.data();
        const src = this.byUid.get(d.source);
        const tgt = this.byUid.get(d.target);
        if (src && tgt) {
          edge.data(this.curveData(src, tgt, d.source_port, d.target_port));
        }
      }
    });
  }

  /** Follow card moves (drags, layout, the kernel's positions) with the wires' curves. */
  watchPositions(): void {
    this.cy.on('position', 'node', ev => {
      this.movedCards.add(ev.target.id());
      if (!this.curveFrame) {
        this.curveFrame = requestAnimationFrame(() => {
          this.curveFrame = 0;
          const moved = Array.from(this.movedCards);
          this.movedCards.clear();
          if (this.host.canvas.alive) {
            this.updateCurves(moved);
          }
        });
      }
    });
  }

  private removeWire(w: WireEntry): void {
    w.model.off(null, null, this);
    this.wires.delete(w.cid);
    if (w.edge && !w.edge.removed()) {
      w.edge.remove();
    }
  }

  /** Recompute which ports have wires; redraw cards whose port dots or notes change. */
  private updateConnections(): void {
    const data: WireEnds[] = Array.from(this.wires.values()).map(w => w.model.get('data') || {});
    const next = connectionsOf(data);
    const prev = this.connected;
    const prevUsers = this.layerUsers;
    this.connected = next;
    this.layerUsers = layerUsersOf(data);
    this.cy.batch(() => {
      for (const e of this.cards.values()) {
        if (!sameSet(prev.get(e.uid), next.get(e.uid)) || prevUsers.get(e.uid) !== this.layerUsers.get(e.uid)) {
          this.redrawCard(e);
        }
      }
    });
  }

  private onCardModelChange(e: CardEntry): void {
    const changed = Object.keys(e.model.changedAttributes() || {});
    if (changed.includes('position') && !this.host.isDragging(e.uid)) {
      const p = e.model.get('position') || {};
      if (typeof p.x === 'number' && typeof p.y === 'number') {
        e.node.position(this.nodePosition(e.uid, p));
      }
    }
    if (changed.some(k => !SKIP_REDRAW.has(k))) {
      this.redrawCard(e);
      this.host.cardChanged(e.uid);
    }
  }

  /** Redraw every card (after the catalogue changed). */
  redrawAll(): void {
    for (const e of this.cards.values()) {
      e.spec = this.host.specs.get(e.model.get('card_id')) || null;
      this.redrawCard(e, true);
    }
  }

  /**
   * Redraw a card's face after its model changed. The new face of a card on
   * screen is decoded off screen first and swapped in when ready, so the card
   * never shows an empty frame and the change appears in the next paint; a
   * card off screen or drawn far out gets its face at once, decoded only when
   * it is first drawn (a shape update of 2,000 cards decodes none). Only this
   * card is touched.
   */
  redrawCard(e: CardEntry, force = false): void {
    const { geom, svg } = this.faceFor(e);
    const latest = e.pending ? e.pending.svg : e.svg;
    if (!force && svg === latest) {
      return;
    }
    if (svg === e.svg) {
      e.pending = null; // back to what is shown
      this.applyFace(e, geom, svg, e.face, force);
      return;
    }
    const seq = ++this.faceSeq;
    this.host.timings.faceChange = performance.now();
    if (!this.shownWithFace(e)) {
      // far out or off screen: the new face is decoded only when cytoscape first draws it
      e.pending = null;
      const faces = this.host.canvas.faces!;
      const old = e.face;
      this.applyFace(e, geom, svg, faces.add(svg), force);
      faces.drop(old);
      return;
    }
    e.pending = { svg, geom, seq };
    const img = new Image();
    img.src = svgDataUri(svg);
    const swap = (): void => {
      if (!e.pending || e.pending.seq !== seq || !this.host.canvas.alive || e.node.removed()) {
        return;
      }
      e.pending = null;
      this.host.timings.faceDecoded = performance.now();
      // the decoded image goes into cytoscape's image cache: drawn in the next frame
      const faces = this.host.canvas.faces!;
      const url = faces.add(svg, img);
      const old = e.face;
      this.applyFace(e, geom, svg, url, force);
      faces.drop(old);
    };
    img.decode().then(swap, swap);
  }

  /** The card's face is on screen now (not far out, and its box meets the view). */
  private shownWithFace(e: CardEntry): boolean {
    return !e.node.hasClass('nnc-far') && this.onScreen(e);
  }

  /** The card's box meets the view (however it is drawn). */
  onScreen(e: CardEntry): boolean {
    if (e.node.removed()) {
      return false;
    }
    const c = e.node.position();
    return intersects(cardBox(c, e.geom.width, e.geom.height), this.cy.extent() as Box);
  }

  private applyFace(e: CardEntry, geom: CardGeometry, svg: string, url: string, force: boolean): void {
    const resized = geom.width !== e.geom.width || geom.height !== e.geom.height || force;
    const corner = resized ? this.modelPosition(e) : null; // a card grows down and right
    e.geom = geom;
    e.svg = svg;
    e.face = url;
    this.cy.batch(() => {
      e.node.data({ face: url, w: geom.width, h: geom.height, ...this.farData(e.spec, e.model, geom) });
      if (corner) {
        e.node.position(this.nodePosition(e.uid, corner));
      }
      e.node.toggleClass('nnc-error', hasError(e.model));
      e.node.toggleClass('nnc-stale', isStale(e.model));
      e.node.toggleClass('nnc-shared', isShared(e.model));
      if (resized) {
        e.node.connectedEdges().forEach(edge => {
          const d = edge.data();
          if (d.source === e.uid) {
            edge.data('sep', endpointStyle(geom, 'output', d.source_port));
          }
          if (d.target === e.uid) {
            edge.data('tep', endpointStyle(geom, 'input', d.target_port));
          }
        });
      }
    });
    if (resized) {
      this.host.canvas.culler?.moved(e.node);
      this.updateCurves([e.uid]);
    }
  }

  /** Show or fold a card's helper ports (its "+" row). */
  toggleExpanded(uid: string): void {
    const e = this.byUid.get(uid);
    if (!e) {
      return;
    }
    if (!this.expanded.delete(uid)) {
      this.expanded.add(uid);
    }
    this.redrawCard(e);
  }

  // ---------------------------------------------------------------- what is where

  footprints(): Footprint[] {
    return Array.from(this.cards.values()).map(e => ({
      center: e.node.position(),
      width: e.geom.width,
      height: e.geom.height
    }));
  }

  /** Mean y of the Input cards (where the network starts), or null. */
  inputsY(): number | null {
    const inputs = Array.from(this.cards.values()).filter(e => e.spec?.role === 'input');
    return inputs.length ? inputs.reduce((sum, e) => sum + e.node.position().y, 0) / inputs.length : null;
  }

  /** The box a card is drawn in (for culling), or null when it is not a card. */
  private cardBoxOf(uid: string): Box | null {
    const e = this.byUid.get(uid);
    if (!e || e.node.removed()) {
      return null;
    }
    const size = e.geom; // as drawn (an expanded group: its frame)
    return cardBox(e.node.position(), size.width, size.height);
  }

  /** The box a wire is drawn in: its two cards and the handles of its curve. */
  private wireBoxOf(id: string): Box | null {
    const edge = this.cy.getElementById(id);
    if (!edge.length) {
      return null;
    }
    const d = edge.data();
    const src = this.cardBoxOf(d.source);
    const tgt = this.cardBoxOf(d.target);
    const sp = this.portPoint(d.source, 'output', d.source_port);
    const tp = this.portPoint(d.target, 'input', d.target_port);
    if (!src || !tgt) {
      return null;
    }
    return wireBox(src, tgt, sp && tp ? wireHandles(sp, tp) : []);
  }

  /** The card under a model point, topmost first, with the point relative to its corner. */
  cardAt(p: Point, margin = 0): { e: CardEntry; local: Point } | null {
    let found: { e: CardEntry; local: Point } | null = null;
    for (const e of this.cards.values()) {
      const c = e.node.position();
      const x0 = c.x - e.geom.width / 2;
      const y0 = c.y - e.geom.height / 2;
      const w = e.geom.width;
      const h = e.geom.height;
      if (p.x >= x0 - margin && p.x <= x0 + w + margin && p.y >= y0 - margin && p.y <= y0 + h + margin) {
        found = { e, local: { x: p.x - x0, y: p.y - y0 } };
      }
    }
    return found;
  }

  /** The port dot within `radius` of a model point, if any. */
  portAt(p: Point, radius: number): { e: CardEntry; hit: PortHit } | null {
    const at = this.cardAt(p, radius);
    if (!at) {
      return null;
    }
    const hit = hitPort(at.e.geom, at.local, radius);
    return hit ? { e: at.e, hit } : null;
  }

  /** Model position of a port's dot. */
  portPoint(uid: string, side: Side, name: string): Point | null {
    const e = this.byUid.get(uid);
    if (!e) {
      return null;
    }
    const local = side === 'input' ? e.geom.inputPorts[name] : e.geom.outputPorts[name];
    if (!local) {
      return null;
    }
    const c = e.node.position();
    return { x: c.x - e.geom.width / 2 + local.x, y: c.y - e.geom.height / 2 + local.y };
  }
}
