/**
 * NetworkEditorView: the card canvas. It extends ipycytoscape's CytoscapeView
 * but draws the graph itself: every Card model becomes a cytoscape node whose
 * face is an SVG image, every Wire an edge pinned to its ports. The view never
 * changes the graph on its own; it sends requests (docs/protocol.md) and
 * redraws when the kernel's answer arrives as widget-state changes.
 */

import cytoscape from 'cytoscape';
import { CytoscapeView } from 'jupyter-cytoscape';

import { cardSvg, svgDataUri } from './cardsvg';
import { typeColor, typeShortName, categoryColor, tint } from './colors';
import { h, icon, isTextTarget } from './dom';
import {
  ellipsize,
  formatCount,
  formatShape,
  formatShare,
  formatStat,
  formatValue,
  hasPreview,
  PreviewData,
  previewLines,
  valueToText
} from './format';
import {
  CARD,
  CardGeometry,
  endpointStyle,
  findFreeSpot,
  hitPort,
  layoutCard,
  placementHeight,
  PortHit,
  rowAt
} from './geometry';
import { groupCatalog, searchCatalog } from './palette';
import { parseParam } from './parse';
import { RequestClient } from './requests';
import { CardSpec, InputSpec, isList, isParam, Point, Rect } from './types';
import {
  addEntry,
  Call,
  connectEntry,
  moveEntry,
  removeEntry,
  setParamEntry,
  UndoStack
} from './undo';

interface CardEntry {
  cid: string;
  uid: string;
  model: any;
  spec: CardSpec | null;
  geom: CardGeometry;
  /** SVG markup of the face on the canvas, and the blob: URL it is drawn from (node data 'face'). */
  svg: string;
  face: string;
  /** The newest face while its image is being decoded (swapped in when ready). */
  pending: { svg: string; geom: CardGeometry; seq: number } | null;
  node: cytoscape.NodeSingular;
}

interface WireEntry {
  cid: string;
  id: string;
  model: any;
  edge: cytoscape.EdgeSingular | null;
}

interface WireDrag {
  uid: string;
  side: 'input' | 'output';
  name: string;
  type: string;
  start: Point; // model coordinates of the port
  pointer: Point;
}

const DRAG_MIME = 'application/x-nncards-card';
const PLACEMENT_MIN_WIDTH = 250;
/** Below this zoom cards are drawn as plain titled boxes instead of their faces. */
const FAR_ZOOM = 0.4;
let viewCount = 0;
const SKIP_REDRAW = new Set(['position', 'selected', 'grabbed', 'removed', 'locked', 'grabbable', 'selectable', 'pannable', 'classes']);

declare global {
  interface Window {
    __nncards_views?: NetworkEditorView[];
  }
}

export class NetworkEditorView extends CytoscapeView {
  cy!: cytoscape.Core;
  client!: RequestClient;
  undoStack = new UndoStack();

  private specs = new Map<string, CardSpec>();
  private cards = new Map<string, CardEntry>();
  private byUid = new Map<string, CardEntry>();
  private wires = new Map<string, WireEntry>();
  private connected = new Map<string, Set<string>>();
  private grabStart = new Map<string, Point>();
  private movedPending = new Set<string>();
  private moveTimer: any = null;
  private pendingSelect: string | null = null;
  private wireDrag: WireDrag | null = null;
  private syncScheduled = false;
  private inspectorUid: string | null = null;
  private toastTimer: any = null;
  private resizeObserver: ResizeObserver | null = null;
  private rafHover = 0;
  private far = false;
  private faceSeq = 0;
  private viewId = ++viewCount;
  /** True until the user pans, zooms or clicks the canvas. */
  private autoViewport = true;
  private searchText = '';
  /** Milliseconds of the first full render, for benchmarks. */
  firstRenderMs: number | null = null;
  /** performance.now() marks of the view's life (render, displayed, canvas ready), for benchmarks. */
  timings: Record<string, number> = {};

  // DOM
  private toolbarEl!: HTMLElement;
  private paletteListEl!: HTMLElement;
  private searchEl!: HTMLInputElement;
  private canvasWrap!: HTMLElement;
  private canvasEl!: HTMLElement;
  private overlayEl!: SVGSVGElement;
  private tooltipEl!: HTMLElement;
  private toastEl!: HTMLElement;
  private emptyEl!: HTMLElement;
  private inspectorEl!: HTMLElement;
  private statusEl!: HTMLElement;
  private countsEl!: HTMLElement;
  private totalEl!: HTMLElement;
  private undoBtn!: HTMLButtonElement;
  private redoBtn!: HTMLButtonElement;
  private deleteBtn!: HTMLButtonElement;
  private paletteBtn!: HTMLButtonElement;
  private paletteOpen = true;
  /** Wrapper card uid by the uid of a card used only as its "Layer instance" (e.g. an LSTM in a Bidirectional). */
  private layerUsers = new Map<string, string>();

  // ---------------------------------------------------------------- set-up

  render(): void {
    this.timings.render = performance.now();
    const el = this.el as HTMLElement;
    el.classList.add('nnc-editor');
    el.setAttribute('data-testid', 'nncards-editor');
    el.setAttribute('tabindex', '0');
    el.setAttribute('data-lm-suppress-shortcuts', 'true');
    el.setAttribute('data-p-suppress-shortcuts', 'true');
    this.buildDom();
    (el as any).nncardsView = this;
    (window.__nncards_views = window.__nncards_views || []).push(this);

    this.client = new RequestClient(msg => this.model.send(msg, {}), 60000);
    this.listenTo(this.model, 'msg:custom', (msg: any) => this.client.handleMessage(msg));
    this.listenTo(this.model, 'change:catalog', () => this.onCatalogChange());
    this.listenTo(this.model, 'change:total_params', () => this.updateTotals());
    const graph = this.model.get('graph');
    if (graph) {
      this.listenTo(graph, 'change:nodes change:edges', () => this.scheduleSync());
    }
    this.undoStack.onChange = () => this.updateButtons();
    this.onCatalogChange(false);
    this.updateTotals();
    this.updateButtons();

    el.addEventListener('keydown', e => this.onKeyDown(e));
    this.displayed.then(() => this.initCanvas());
  }

  // ipycytoscape re-creates its cytoscape core when some traits change; our
  // canvas is created once and updated in place.
  value_changed(): void {
    /* nothing to do */
  }

  init_render(): void {
    /* the canvas is created by initCanvas */
  }

  remove(): any {
    if (this.resizeObserver) {
      this.resizeObserver.disconnect();
    }
    for (const e of this.cards.values()) {
      e.pending = null;
    }
    if (this.cy) {
      this.cy.destroy();
    }
    const views = window.__nncards_views;
    if (views) {
      const i = views.indexOf(this);
      if (i >= 0) {
        views.splice(i, 1);
      }
    }
    return super.remove();
  }

  private buildDom(): void {
    const el = this.el as HTMLElement;
    el.innerHTML = '';
    const btn = (name: string, label: string, title: string, onClick: () => void, testid: string) => {
      const b = h('button', {
        class: 'nnc-btn',
        type: 'button',
        title,
        'aria-label': title,
        'data-testid': testid
      });
      b.appendChild(icon(name));
      if (label) {
        b.appendChild(h('span', { text: label }));
      }
      b.addEventListener('click', e => {
        e.preventDefault();
        this.autoViewport = false;
        onClick();
      });
      return b;
    };
    this.undoBtn = btn('undo', '', 'Undo (Ctrl+Z)', () => this.undo(), 'nncards-undo');
    this.redoBtn = btn('redo', '', 'Redo (Ctrl+Shift+Z)', () => this.redo(), 'nncards-redo');
    this.deleteBtn = btn('trash', '', 'Delete selected (Delete)', () => this.deleteSelected(), 'nncards-delete');
    this.totalEl = h('div', { class: 'nnc-total', 'data-testid': 'nncards-total-params' });
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
      this.setPaletteOpen(!this.paletteOpen);
      if (this.paletteOpen) {
        this.searchEl.focus({ preventScroll: true });
      }
    });
    this.toolbarEl = h(
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
      btn('layout', 'Layout', 'Lay the network out left to right', () => this.runLayout(), 'nncards-layout'),
      btn('fit', 'Fit', 'Fit the network to the view', () => this.fitView(true), 'nncards-fit'),
      btn('zoomOut', '', 'Zoom out', () => this.zoomBy(1 / 1.25), 'nncards-zoom-out'),
      btn('zoomIn', '', 'Zoom in', () => this.zoomBy(1.25), 'nncards-zoom-in'),
      h('div', { class: 'nnc-spacer' }),
      this.totalEl
    );

    this.searchEl = h('input', {
      class: 'nnc-search',
      type: 'search',
      placeholder: 'Search cards…',
      'aria-label': 'Search cards',
      'data-testid': 'nncards-palette-search',
      spellcheck: 'false'
    });
    this.searchEl.addEventListener('input', () => {
      this.searchText = this.searchEl.value;
      this.renderPalette();
    });
    this.searchEl.addEventListener('keydown', e => {
      if (e.key === 'Enter') {
        const first = this.paletteListEl.querySelector('[data-card-id]') as HTMLElement | null;
        if (first) {
          this.addCardFromPalette(first.dataset.cardId!);
        }
      } else if (e.key === 'Escape') {
        this.searchEl.value = '';
        this.searchText = '';
        this.renderPalette();
      }
    });
    this.paletteListEl = h('div', { class: 'nnc-palette-list', 'data-testid': 'nncards-palette-list' });
    const searchBox = h('div', { class: 'nnc-search-box' });
    searchBox.appendChild(icon('search'));
    searchBox.appendChild(this.searchEl);
    const palette = h(
      'div',
      { class: 'nnc-palette', 'data-testid': 'nncards-palette' },
      h('div', { class: 'nnc-panel-title', text: 'Cards' }),
      searchBox,
      this.paletteListEl
    );

    this.canvasEl = h('div', { class: 'nnc-canvas', 'data-testid': 'nncards-canvas' });
    this.overlayEl = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.overlayEl.setAttribute('class', 'nnc-overlay');
    this.tooltipEl = h('div', { class: 'nnc-tooltip', 'data-testid': 'nncards-tooltip' });
    this.toastEl = h('div', { class: 'nnc-toast', role: 'alert', 'data-testid': 'nncards-toast' });
    this.emptyEl = h(
      'div',
      { class: 'nnc-empty' },
      h('div', { class: 'nnc-empty-title', text: 'An empty network' }),
      h('div', { text: 'Drag a card here from the palette, or click it to add it.' }),
      h('div', { text: 'Then drag from an output port ● to an input port to wire cards.' })
    );
    this.canvasWrap = h(
      'div',
      { class: 'nnc-canvas-wrap' },
      this.canvasEl,
      this.overlayEl as any,
      this.emptyEl,
      this.tooltipEl,
      this.toastEl
    );
    this.canvasWrap.addEventListener('dragover', e => {
      if (e.dataTransfer && Array.from(e.dataTransfer.types).includes(DRAG_MIME)) {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }
    });
    this.canvasWrap.addEventListener('drop', e => {
      const id = e.dataTransfer?.getData(DRAG_MIME);
      if (id) {
        e.preventDefault();
        this.addCardFromPalette(id, this.modelPoint(e.clientX, e.clientY));
      }
    });
    // Port drags must be seen before cytoscape starts grabbing the card.
    this.canvasWrap.addEventListener('mousedown', e => this.onCanvasMouseDown(e), true);
    this.canvasWrap.addEventListener('wheel', () => (this.autoViewport = false), { capture: true, passive: true });
    this.canvasWrap.addEventListener('pointerdown', () => (this.autoViewport = false), true);
    this.canvasWrap.addEventListener('mousemove', e => this.onCanvasHover(e));
    this.canvasWrap.addEventListener('mouseleave', () => this.hideTooltip());
    // The wrapper clips the canvas; it must never scroll (focus or drag autoscroll could).
    this.canvasWrap.addEventListener('scroll', () => {
      this.canvasWrap.scrollTop = 0;
      this.canvasWrap.scrollLeft = 0;
    });

    this.inspectorEl = h('div', { class: 'nnc-inspector', 'data-testid': 'nncards-inspector' });
    const main = h('div', { class: 'nnc-main' }, palette, this.canvasWrap, this.inspectorEl);

    this.statusEl = h('div', { class: 'nnc-status-msg', 'data-testid': 'nncards-status', 'aria-live': 'polite' });
    this.countsEl = h('div', { class: 'nnc-counts', 'data-testid': 'nncards-counts' });
    const status = h(
      'div',
      { class: 'nnc-statusbar' },
      this.statusEl,
      h('div', { class: 'nnc-spacer' }),
      this.countsEl,
      h('div', { class: 'nnc-hints', text: 'Drag ● to connect · Del deletes · Ctrl+Z undo' })
    );
    el.appendChild(this.toolbarEl);
    el.appendChild(main);
    el.appendChild(status);
    this.renderInspector();
  }

  /** Show or hide the card palette (hidden, the canvas gets its width). */
  setPaletteOpen(open: boolean): void {
    this.paletteOpen = open;
    (this.el as HTMLElement).classList.toggle('nnc-palette-collapsed', !open);
    this.paletteBtn.setAttribute('aria-pressed', open ? 'true' : 'false');
    this.paletteBtn.classList.toggle('nnc-active', open);
    if (this.cy) {
      this.cy.resize();
      if (this.autoViewport) {
        this.initialViewport();
      }
    }
  }

  private initCanvas(): void {
    if (this.cy) {
      return;
    }
    const t0 = performance.now();
    this.timings.displayed = t0;
    this.cy = cytoscape({
      container: this.canvasEl,
      style: this.cyStyle() as any,
      elements: [],
      minZoom: 0.08,
      maxZoom: 3,
      boxSelectionEnabled: true,
      selectionType: 'single',
      autounselectify: false,
      autoungrabify: false
    });
    (this as any).cytoscape_obj = this.cy;
    (this as any).is_rendered = true;
    (this.canvasEl as any).cy = this.cy;
    this.timings.core = performance.now();
    const graph = this.model.get('graph');
    const n = ((graph && graph.get('nodes')) || []).length;
    if (n > 1 && (this.el as HTMLElement).clientWidth < 1400) {
      // A network made in Python: give the canvas the width (the palette is one click away).
      this.setPaletteOpen(false);
    }
    this.syncElements();
    this.timings.synced = performance.now();
    this.initialViewport();
    this.bindCanvasEvents();
    this.timings.ready = performance.now();
    this.firstRenderMs = performance.now() - t0;
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => {
        if (this.cy) {
          this.cy.resize();
          if (this.autoViewport) {
            // the canvas got its final size: frame the network again until the user pans or zooms
            this.initialViewport();
          }
        }
      });
      this.resizeObserver.observe(this.canvasWrap);
    }
  }

  processLuminoMessage(msg: any): void {
    const base = (CytoscapeView.prototype as any).processLuminoMessage;
    if (base) {
      base.call(this, msg);
    }
    if (this.cy && (msg.type === 'resize' || msg.type === 'after-show' || msg.type === 'after-attach')) {
      this.cy.resize();
    }
  }

  private cyStyle(): any[] {
    return [
      {
        selector: 'node',
        style: {
          shape: 'round-rectangle',
          width: 'data(w)',
          height: 'data(h)',
          'background-color': '#ffffff',
          'background-image': 'data(face)',
          'background-fit': 'contain',
          'background-clip': 'node',
          'border-width': 1,
          'border-color': '#c3cad5',
          'overlay-opacity': 0,
          label: ''
        }
      },
      {
        selector: 'node.nnc-far',
        style: {
          'background-image': 'none',
          'background-color': 'data(tint)',
          label: 'data(title)',
          'text-wrap': 'wrap',
          'text-valign': 'center',
          'text-halign': 'center',
          'font-size': 26,
          'font-weight': 'bold',
          'font-family': 'Helvetica, Arial, sans-serif',
          color: '#1b2330',
          'text-max-width': 'data(w)',
          'min-zoomed-font-size': 4
        }
      },
      { selector: 'node.nnc-stale', style: { 'border-width': 2, 'border-color': '#d97706', 'border-style': 'dashed' } },
      { selector: 'node.nnc-error', style: { 'border-width': 2.5, 'border-color': '#d32f2f', 'border-style': 'solid' } },
      { selector: 'node:selected', style: { 'border-width': 2.5, 'border-color': '#2563eb' } },
      { selector: 'node.nnc-error:selected', style: { 'border-width': 3.5, 'border-color': '#b71c1c' } },
      {
        selector: 'edge',
        style: {
          width: 2.5,
          'line-color': 'data(color)',
          'curve-style': 'straight',
          'source-endpoint': 'data(sep)',
          'target-endpoint': 'data(tep)',
          label: 'data(shape)',
          'font-size': 10,
          'font-family': 'Helvetica, Arial, sans-serif',
          color: '#1f3f75',
          'text-background-color': '#ffffff',
          'text-background-opacity': 0.95,
          'text-background-padding': '2px',
          'text-background-shape': 'roundrectangle',
          'text-border-color': '#d5dbe4',
          'text-border-width': 1,
          'text-border-opacity': 1,
          'text-events': 'no',
          'overlay-padding': 5,
          'overlay-opacity': 0
        }
      },
      { selector: 'edge[!shape]', style: { label: '' } },
      {
        selector: 'edge:selected',
        style: { width: 4.5, 'overlay-color': '#2563eb', 'overlay-opacity': 0.15 }
      },
      { selector: 'edge.nnc-hover', style: { width: 3.5 } }
    ];
  }

  // ---------------------------------------------------------------- catalogue and palette

  private onCatalogChange(redraw = true): void {
    const list: CardSpec[] = this.model.get('catalog') || [];
    this.specs.clear();
    for (const s of list) {
      this.specs.set(s.id, s);
    }
    this.renderPalette();
    if (redraw && this.cy) {
      for (const e of this.cards.values()) {
        e.spec = this.specs.get(e.model.get('card_id')) || null;
        this.redrawCard(e, true);
      }
    }
  }

  private renderPalette(): void {
    const list: CardSpec[] = Array.from(this.specs.values());
    const box = this.paletteListEl;
    box.innerHTML = '';
    const item = (spec: CardSpec) => {
      const it = h(
        'div',
        {
          class: 'nnc-pal-item',
          draggable: 'true',
          role: 'button',
          tabindex: '0',
          title: `${spec.title} — click or drag onto the canvas`,
          'data-card-id': spec.id,
          'data-testid': 'nncards-palette-item'
        },
        h('span', { class: 'nnc-pal-swatch', style: `background:${categoryColor(spec.category)}` }),
        h('span', { class: 'nnc-pal-title', text: spec.title })
      );
      it.addEventListener('click', () => this.addCardFromPalette(spec.id));
      it.addEventListener('keydown', e => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          this.addCardFromPalette(spec.id);
        }
      });
      it.addEventListener('dragstart', e => {
        if (e.dataTransfer) {
          e.dataTransfer.setData(DRAG_MIME, spec.id);
          e.dataTransfer.setData('text/plain', spec.id);
          e.dataTransfer.effectAllowed = 'copy';
        }
      });
      return it;
    };
    if (!list.length) {
      box.appendChild(h('div', { class: 'nnc-pal-empty', text: 'The catalogue is loading…' }));
      return;
    }
    if (this.searchText.trim()) {
      const found = searchCatalog(list, this.searchText);
      if (!found.length) {
        box.appendChild(h('div', { class: 'nnc-pal-empty', text: `No card matches “${this.searchText.trim()}”.` }));
      }
      for (const s of found) {
        box.appendChild(item(s));
      }
      return;
    }
    for (const g of groupCatalog(list)) {
      const det = h('details', { class: 'nnc-pal-group', 'data-group': g.label });
      if (g.label === 'Inputs & outputs' || g.label === 'Layers') {
        det.setAttribute('open', '');
      }
      det.appendChild(
        h('summary', {}, h('span', { text: g.label }), h('span', { class: 'nnc-pal-count', text: String(g.cards.length) }))
      );
      for (const s of g.cards) {
        det.appendChild(item(s));
      }
      box.appendChild(det);
    }
  }

  // ---------------------------------------------------------------- graph -> canvas

  private scheduleSync(): void {
    if (this.syncScheduled) {
      return;
    }
    this.syncScheduled = true;
    Promise.resolve().then(() => {
      this.syncScheduled = false;
      this.syncElements();
    });
  }

  /** Bring the cytoscape elements in line with the graph's card and wire models. */
  syncElements(): void {
    if (!this.cy) {
      return;
    }
    const graph = this.model.get('graph');
    const nodes: any[] = (graph && graph.get('nodes')) || [];
    const edges: any[] = (graph && graph.get('edges')) || [];
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
      this.updateCounts();
      if (this.autoViewport && this.cards.size) {
        // cards may arrive after the canvas was made: frame them until the user takes over
        this.initialViewport();
      }
      this.emptyEl.style.display = this.cards.size ? 'none' : '';
      if (this.pendingSelect && this.byUid.has(this.pendingSelect)) {
        const e = this.byUid.get(this.pendingSelect)!;
        this.pendingSelect = null;
        this.cy.elements().unselect();
        e.node.select();
        this.ensureVisible(e.node);
      }
      this.renderInspector();
    }
  }

  /**
   * "inside 'bidirectional'" for a card used only through its Layer instance
   * (e.g. an LSTM wrapped by a Bidirectional): it has no output of its own, and
   * that is fine.
   */
  private layerNote(e: { model: any }): string {
    const uid = String(e.model.get('data')?.id);
    const user = this.layerUsers.get(uid);
    if (!user) {
      return '';
    }
    let name = this.byUid.get(user)?.model.get('name');
    if (!name) {
      const graph = this.model.get('graph');
      const m = ((graph && graph.get('nodes')) || []).find((n: any) => String(n.get('data')?.id) === user);
      name = m ? m.get('name') : '';
    }
    return name ? `layer inside '${name}'` : 'layer inside a wrapper';
  }

  private cardContent(e: { model: any; spec: CardSpec | null }) {
    const m = e.model;
    const spec = e.spec;
    const values: Record<string, unknown> = {};
    if (spec) {
      for (const inp of spec.inputs) {
        if (isParam(inp)) {
          values[inp.name] = inp.name === 'name' ? m.get('name') : m.get(inp.name);
        }
      }
    }
    const shape = formatShape(m.get('output_shape'));
    const pc = m.get('param_count');
    const params = typeof pc === 'number' ? `${formatCount(pc)} param${pc === 1 ? '' : 's'}` : '';
    const error: string = m.get('error') || '';
    const note = !error && !shape ? this.layerNote(e) : '';
    const footer = error ? 'error' : [shape || note, params].filter(Boolean).join('   ');
    return { values, shape, params, error, footer, note };
  }

  private faceFor(e: { model: any; spec: CardSpec | null; uid: string }): { geom: CardGeometry; svg: string } {
    const spec = e.spec || unknownSpec(e.model.get('card_id'));
    const c = this.cardContent({ model: e.model, spec });
    const name: string = e.model.get('name') || '';
    const pv: PreviewData | null = hasPreview(e.model.get('preview')) ? e.model.get('preview') : null;
    const lines = pv ? previewLines(pv) : null;
    const geom = layoutCard(spec, {
      values: c.values,
      subtitle: name,
      footer: c.footer,
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
      preview: pv && lines ? { image: pv.image || '', caption: lines.caption, stats: lines.stats, stale: !!e.model.get('stale') } : null
    });
    return { geom, svg };
  }

  private addCard(m: any): void {
    const uid = String(m.get('data')?.id);
    const spec = this.specs.get(m.get('card_id')) || null;
    const { geom, svg } = this.faceFor({ model: m, spec, uid });
    const face = this.registerFace(svg);
    const pos = m.get('position') || {};
    const node = this.cy.add({
      group: 'nodes',
      data: {
        id: uid,
        face,
        w: geom.width,
        h: geom.height,
        title: `${spec ? spec.title : m.get('card_id')}\n${m.get('name') || ''}`,
        tint: tint(categoryColor(spec?.category), 0.85)
      },
      position: { x: Number(pos.x) || 0, y: Number(pos.y) || 0 },
      classes: cardClasses(m) + (this.far ? ' nnc-far' : '')
    }) as unknown as cytoscape.NodeSingular;
    const entry: CardEntry = { cid: m.cid, uid, model: m, spec, geom, svg, face, pending: null, node };
    this.cards.set(m.cid, entry);
    this.byUid.set(uid, entry);
    this.listenTo(m, 'change', () => this.onCardModelChange(entry));
  }

  private removeCard(e: CardEntry): void {
    this.stopListening(e.model);
    e.pending = null;
    this.dropFace(e.face);
    this.cards.delete(e.cid);
    if (this.byUid.get(e.uid) === e) {
      this.byUid.delete(e.uid);
      if (!e.node.removed()) {
        e.node.remove();
      }
    }
    if (this.inspectorUid === e.uid) {
      this.inspectorUid = null;
    }
  }

  private addWire(m: any): void {
    const w: WireEntry = { cid: m.cid, id: String(m.get('data')?.id), model: m, edge: null };
    this.wires.set(m.cid, w);
    this.placeWire(w);
    this.listenTo(m, 'change:shape change:data', () => {
      if (w.edge) {
        w.edge.data('shape', m.get('shape') || '');
      } else {
        this.placeWire(w);
      }
      this.refreshInspectorIfShowing();
    });
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
        color: typeColor(d.port_type || 'NeuralNetworkTensor'),
        shape: w.model.get('shape') || '',
        port_type: d.port_type,
        source_port: d.source_port,
        target_port: d.target_port
      },
      classes: 'wire'
    }) as unknown as cytoscape.EdgeSingular;
  }

  private removeWire(w: WireEntry): void {
    this.stopListening(w.model);
    this.wires.delete(w.cid);
    if (w.edge && !w.edge.removed()) {
      w.edge.remove();
    }
  }

  /** Recompute which ports have wires; redraw cards whose port dots change. */
  private updateConnections(): void {
    const data = Array.from(this.wires.values()).map(w => w.model.get('data') || {});
    const next = connectionsOf(data);
    const prev = this.connected;
    const prevUsers = this.layerUsers;
    this.connected = next;
    this.layerUsers = layerUsersOf(data);
    this.cy.batch(() => {
      for (const e of this.cards.values()) {
        const a = prev.get(e.uid);
        const b = next.get(e.uid);
        if (!sameSet(a, b) || prevUsers.get(e.uid) !== this.layerUsers.get(e.uid)) {
          this.redrawCard(e);
        }
      }
    });
  }

  private onCardModelChange(e: CardEntry): void {
    const changed = Object.keys(e.model.changedAttributes() || {});
    if (changed.includes('position') && !this.grabStart.has(e.uid)) {
      const p = e.model.get('position') || {};
      if (typeof p.x === 'number' && typeof p.y === 'number') {
        e.node.position({ x: p.x, y: p.y });
      }
    }
    if (changed.some(k => !SKIP_REDRAW.has(k))) {
      this.redrawCard(e);
      if (this.inspectorUid === e.uid) {
        this.refreshInspectorValues();
      }
    }
  }

  /**
   * Redraw a card's face after its model changed. The new face is decoded off
   * screen first and swapped in when ready, so the card never shows an empty
   * frame and the change appears in the next paint; only this card is touched.
   */
  private redrawCard(e: CardEntry, force = false): void {
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
    e.pending = { svg, geom, seq };
    this.timings.faceChange = performance.now();
    const img = new Image();
    img.src = svgDataUri(svg);
    const swap = () => {
      if (!e.pending || e.pending.seq !== seq || !this.cy || this.cy.destroyed() || e.node.removed()) {
        return;
      }
      e.pending = null;
      this.timings.faceDecoded = performance.now();
      // the decoded image goes into cytoscape's image cache: drawn in the next frame
      const key = this.registerFace(svg, img);
      const old = e.face;
      this.applyFace(e, geom, svg, key, force);
      this.dropFace(old);
    };
    img.decode().then(swap, swap);
  }

  private applyFace(e: CardEntry, geom: CardGeometry, svg: string, url: string, force: boolean): void {
    const resized = geom.width !== e.geom.width || geom.height !== e.geom.height || force;
    e.geom = geom;
    e.svg = svg;
    e.face = url;
    this.cy.batch(() => {
      e.node.data({
        face: url,
        w: geom.width,
        h: geom.height,
        title: `${e.spec ? e.spec.title : e.model.get('card_id')}\n${e.model.get('name') || ''}`
      });
      e.node.toggleClass('nnc-error', !!e.model.get('error'));
      e.node.toggleClass('nnc-stale', isStale(e.model));
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
  }

  /**
   * Put a face into cytoscape's image cache under a short key and return the key
   * (the node's 'face' data). Cytoscape hashes and parses style values per
   * element: a short key instead of a 10 kB data URI keeps that cheap. The image
   * itself is made only when cytoscape first draws the card (cards off screen
   * are never decoded), unless an already decoded one is given.
   */
  private registerFace(svg: string, img?: HTMLImageElement): string {
    const key = `data:image/svg+xml;nncards=${this.viewId}-${++this.faceSeq},`;
    const r: any = (this.cy as any).renderer();
    const cache = (r.imageCache = r.imageCache || {});
    if (img) {
      cache[key] = { image: img };
    } else {
      let image: HTMLImageElement | null = null;
      const entry = {};
      Object.defineProperty(entry, 'image', {
        enumerable: true,
        configurable: true,
        get: () => {
          if (!image) {
            image = new Image();
            image.src = svgDataUri(svg);
          }
          return image;
        },
        set: (v: HTMLImageElement) => {
          image = v;
        }
      });
      cache[key] = entry;
    }
    return key;
  }

  /** Forget a face no card shows any more (cytoscape's cached image of it). */
  private dropFace(key: string): void {
    const r: any = this.cy && !this.cy.destroyed() ? (this.cy as any).renderer() : null;
    if (r && r.imageCache && key) {
      delete r.imageCache[key];
    }
  }

  /** The SVG markup of a card's face as shown on the canvas (for tests). */
  faceSvg(uid: string): string | null {
    const e = this.byUid.get(uid);
    return e ? e.svg : null;
  }

  private initialViewport(): void {
    if (!this.cy.nodes().length) {
      this.cy.zoom(1);
      this.cy.pan({ x: 40, y: 40 });
      return;
    }
    this.fitView(false);
    this.updateLevelOfDetail();
  }

  /**
   * Fit the network in the view, never zooming in past 100%. Unless `all`, keep
   * text readable (at least 85%) and show the top-left part when it does not fit.
   */
  fitView(all: boolean): void {
    const cy = this.cy;
    if (!cy || !cy.nodes().length) {
      return;
    }
    cy.resize();
    const bb = this.cardsBox();
    const W = cy.width();
    const H = cy.height();
    const pad = 32;
    let z = Math.min((W - 2 * pad) / Math.max(bb.w, 1), (H - 2 * pad) / Math.max(bb.h, 1));
    z = Math.min(z, 1);
    if (!all) {
      z = Math.max(z, 0.85);
    }
    z = Math.max(z, cy.minZoom());
    cy.zoom(z);
    const fitsX = bb.w * z <= W - 2 * pad;
    const fitsY = bb.h * z <= H - 2 * pad;
    let y = (H - bb.h * z) / 2 - bb.y1 * z;
    if (!fitsY) {
      // Too tall to show whole at a readable zoom: centre on the Input cards (where the
      // network starts), without leaving empty space above or below the network.
      const inputs = Array.from(this.cards.values()).filter(e => e.spec?.role === 'input');
      const cy0 = inputs.length ? inputs.reduce((sum, e) => sum + e.node.position().y, 0) / inputs.length : bb.y1;
      y = H / 2 - cy0 * z;
      y = Math.min(y, pad - bb.y1 * z);
      y = Math.max(y, H - pad - bb.y2 * z);
    }
    cy.pan({
      // too wide: start at the left, where the inputs are
      x: fitsX ? (W - bb.w * z) / 2 - bb.x1 * z : pad - bb.x1 * z,
      y
    });
  }

  /** Bounding box of all cards, from positions and card sizes (cheaper than cytoscape's). */
  private cardsBox(): { x1: number; y1: number; x2: number; y2: number; w: number; h: number } {
    let x1 = Infinity;
    let y1 = Infinity;
    let x2 = -Infinity;
    let y2 = -Infinity;
    for (const e of this.cards.values()) {
      const p = e.node.position();
      x1 = Math.min(x1, p.x - e.geom.width / 2);
      x2 = Math.max(x2, p.x + e.geom.width / 2);
      y1 = Math.min(y1, p.y - e.geom.height / 2);
      y2 = Math.max(y2, p.y + e.geom.height / 2);
    }
    if (x1 === Infinity) {
      return { x1: 0, y1: 0, x2: 0, y2: 0, w: 0, h: 0 };
    }
    return { x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 };
  }

  /** Far out, faces are unreadable: draw plain titled cards (and spare decoding the faces). */
  private updateLevelOfDetail(): void {
    const far = this.cy.zoom() < FAR_ZOOM;
    if (far !== this.far) {
      this.far = far;
      this.cy.batch(() => {
        this.cy.nodes().toggleClass('nnc-far', far);
      });
    }
  }

  private zoomBy(f: number): void {
    if (!this.cy) {
      return;
    }
    const z = Math.min(this.cy.maxZoom(), Math.max(this.cy.minZoom(), this.cy.zoom() * f));
    this.cy.zoom({ level: z, renderedPosition: { x: this.cy.width() / 2, y: this.cy.height() / 2 } });
  }

  private ensureVisible(node: cytoscape.NodeSingular): void {
    const ext = this.cy.extent();
    const bb = node.boundingBox({});
    const m = 24 / this.cy.zoom();
    let dx = 0;
    let dy = 0;
    if (bb.x2 + m > ext.x2) {
      dx = ext.x2 - (bb.x2 + m);
    }
    if (bb.x1 - m + dx < ext.x1) {
      dx = ext.x1 - (bb.x1 - m);
    }
    if (bb.y2 + m > ext.y2) {
      dy = ext.y2 - (bb.y2 + m);
    }
    if (bb.y1 - m + dy < ext.y1) {
      dy = ext.y1 - (bb.y1 - m);
    }
    if (dx || dy) {
      // the smallest pan that brings the card into view
      const z = this.cy.zoom();
      this.cy.panBy({ x: dx * z, y: dy * z });
    }
  }

  // ---------------------------------------------------------------- canvas events

  private bindCanvasEvents(): void {
    const cy = this.cy;
    cy.on('select unselect', () => this.scheduleInspector());
    cy.on('grab', 'node', ev => {
      const n = ev.target as cytoscape.NodeSingular;
      this.grabStart.set(n.id(), { ...n.position() });
    });
    cy.on('dragfree', 'node', ev => {
      this.movedPending.add((ev.target as cytoscape.NodeSingular).id());
      if (!this.moveTimer) {
        this.moveTimer = setTimeout(() => this.flushMoves(), 10);
      }
    });
    cy.on('free', 'node', ev => {
      // 'free' comes before 'dragfree': decide once both have been seen.
      const id = (ev.target as cytoscape.NodeSingular).id();
      setTimeout(() => {
        if (!this.movedPending.has(id)) {
          this.grabStart.delete(id);
        }
      }, 0);
    });
    cy.on('zoom', () => this.updateLevelOfDetail());
    cy.on('mouseover', 'edge', ev => ev.target.addClass('nnc-hover'));
    cy.on('mouseout', 'edge', ev => ev.target.removeClass('nnc-hover'));
  }

  private flushMoves(): void {
    this.moveTimer = null;
    const positions: Record<string, Point> = {};
    const old: Record<string, Point> = {};
    for (const uid of this.movedPending) {
      const e = this.byUid.get(uid);
      const start = this.grabStart.get(uid);
      this.grabStart.delete(uid);
      if (!e || !start) {
        continue;
      }
      const p = e.node.position();
      if (Math.abs(p.x - start.x) < 0.5 && Math.abs(p.y - start.y) < 0.5) {
        continue;
      }
      positions[uid] = { x: round1(p.x), y: round1(p.y) };
      old[uid] = start;
    }
    this.movedPending.clear();
    if (!Object.keys(positions).length) {
      return;
    }
    this.client.request({ type: 'move', positions }).then(r => {
      if (r.ok) {
        const prev = (r.result && r.result.old) || old;
        this.undoStack.push(moveEntry(this.call, prev, positions, 'move'));
      } else {
        this.showError(r.error || 'The move was refused');
        for (const uid of Object.keys(positions)) {
          const e = this.byUid.get(uid);
          const p = e?.model.get('position');
          if (e && p && typeof p.x === 'number') {
            e.node.position({ x: p.x, y: p.y });
          }
        }
      }
    });
  }

  /** Client (page) coordinates -> model coordinates of the canvas. */
  modelPoint(clientX: number, clientY: number): Point {
    const r = this.canvasEl.getBoundingClientRect();
    const pan = this.cy.pan();
    const z = this.cy.zoom();
    return { x: (clientX - r.left - pan.x) / z, y: (clientY - r.top - pan.y) / z };
  }

  /** Model coordinates -> client (page) coordinates. */
  clientPoint(p: Point): Point {
    const r = this.canvasEl.getBoundingClientRect();
    const pan = this.cy.pan();
    const z = this.cy.zoom();
    return { x: r.left + pan.x + p.x * z, y: r.top + pan.y + p.y * z };
  }

  /** The card under a model point, topmost first, with the point relative to its corner. */
  private cardAt(p: Point, margin = 0): { e: CardEntry; local: Point } | null {
    let found: { e: CardEntry; local: Point } | null = null;
    for (const e of this.cards.values()) {
      const c = e.node.position();
      const x0 = c.x - e.geom.width / 2;
      const y0 = c.y - e.geom.height / 2;
      if (p.x >= x0 - margin && p.x <= x0 + e.geom.width + margin && p.y >= y0 - margin && p.y <= y0 + e.geom.height + margin) {
        found = { e, local: { x: p.x - x0, y: p.y - y0 } };
      }
    }
    return found;
  }

  private hitRadius(): number {
    return CARD.hitRadius / Math.min(1, this.cy.zoom());
  }

  private portAt(p: Point): { e: CardEntry; hit: PortHit } | null {
    const r = this.hitRadius();
    const at = this.cardAt(p, r);
    if (!at) {
      return null;
    }
    const hit = hitPort(at.e.geom, at.local, r);
    return hit ? { e: at.e, hit } : null;
  }

  /** Model position of a port's dot. */
  portPoint(uid: string, side: 'input' | 'output', name: string): Point | null {
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

  /** Page coordinates of a port's dot (used by the end-to-end tests to drag wires). */
  portClientPoint(uid: string, side: 'input' | 'output', name: string): Point | null {
    const p = this.portPoint(uid, side, name);
    return p ? this.clientPoint(p) : null;
  }

  /** Page coordinates of a card's centre and the names/uids of all cards (for tests). */
  cardsInfo(): {
    uid: string;
    name: string;
    card_id: string;
    center: Point;
    width: number;
    height: number;
    preview: { caption: string; stats: string; image: boolean; top: number } | null;
    stale: boolean;
    error: string;
  }[] {
    return Array.from(this.cards.values()).map(e => {
      const pv = e.model.get('preview');
      const lines = hasPreview(pv) ? previewLines(pv) : null;
      return {
        uid: e.uid,
        name: e.model.get('name'),
        card_id: e.model.get('card_id'),
        center: this.clientPoint(e.node.position()),
        width: e.geom.width * this.cy.zoom(),
        height: e.geom.height * this.cy.zoom(),
        preview:
          lines && e.geom.previewY !== null
            ? { ...lines, image: !!pv.image, top: e.geom.previewY * this.cy.zoom() }
            : null,
        stale: e.node.hasClass('nnc-stale'),
        error: e.model.get('error') || ''
      };
    });
  }

  private onCanvasMouseDown(ev: MouseEvent): void {
    if (!this.cy || ev.button !== 0) {
      return;
    }
    // cytoscape blurs the focused element on mousedown; take the focus back
    // afterwards so Delete and Ctrl+Z reach the editor.
    setTimeout(() => (this.el as HTMLElement).focus({ preventScroll: true }), 0);
    const p = this.modelPoint(ev.clientX, ev.clientY);
    const at = this.portAt(p);
    if (!at) {
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    const start = this.portPoint(at.e.uid, at.hit.side, at.hit.name)!;
    this.wireDrag = { uid: at.e.uid, side: at.hit.side, name: at.hit.name, type: at.hit.type, start, pointer: p };
    this.hideTooltip();
    this.canvasWrap.classList.add('nnc-wiring');
    const move = (e: MouseEvent) => {
      if (!this.wireDrag) {
        return;
      }
      e.preventDefault();
      this.wireDrag.pointer = this.modelPoint(e.clientX, e.clientY);
      this.drawWireDrag();
    };
    const up = (e: MouseEvent) => {
      window.removeEventListener('mousemove', move, true);
      window.removeEventListener('mouseup', up, true);
      const drag = this.wireDrag;
      this.wireDrag = null;
      this.canvasWrap.classList.remove('nnc-wiring');
      this.overlayEl.innerHTML = '';
      if (drag) {
        e.preventDefault();
        e.stopPropagation();
        this.finishWireDrag(drag, this.modelPoint(e.clientX, e.clientY));
      }
    };
    window.addEventListener('mousemove', move, true);
    window.addEventListener('mouseup', up, true);
    this.drawWireDrag();
  }

  /** Ports a drag could end on: the other side, on other cards, of the same type. */
  private compatiblePorts(drag: WireDrag): { e: CardEntry; name: string; p: Point }[] {
    const out: { e: CardEntry; name: string; p: Point }[] = [];
    const want = drag.side === 'output' ? 'port' : 'output';
    for (const e of this.cards.values()) {
      if (e.uid === drag.uid) {
        continue;
      }
      for (const r of e.geom.rows) {
        if (r.kind === want && r.type === drag.type) {
          const side = want === 'output' ? 'output' : 'input';
          const taken = side === 'input' && this.connected.get(e.uid)?.has('in:' + r.name);
          if (taken) {
            continue;
          }
          const p = this.portPoint(e.uid, side, r.name);
          if (p) {
            out.push({ e, name: r.name, p });
          }
        }
      }
    }
    return out;
  }

  private drawWireDrag(): void {
    const d = this.wireDrag;
    if (!d) {
      return;
    }
    const a = this.toRendered(d.start);
    const b = this.toRendered(d.pointer);
    const color = typeColor(d.type);
    const dx = Math.max(40, Math.abs(b.x - a.x) / 2) * (d.side === 'output' ? 1 : -1);
    const parts: string[] = [];
    for (const c of this.compatiblePorts(d)) {
      const q = this.toRendered(c.p);
      parts.push(
        `<circle cx="${q.x}" cy="${q.y}" r="${9}" fill="${tint(color, 0.75)}" fill-opacity="0.55" stroke="${color}" stroke-width="1.5"/>`
      );
    }
    parts.push(
      `<path d="M${a.x},${a.y} C${a.x + dx},${a.y} ${b.x - dx},${b.y} ${b.x},${b.y}" fill="none" stroke="${color}" stroke-width="2.5" stroke-dasharray="6 4" stroke-linecap="round"/>`
    );
    parts.push(`<circle cx="${b.x}" cy="${b.y}" r="4" fill="${color}"/>`);
    this.overlayEl.innerHTML = parts.join('');
  }

  private toRendered(p: Point): Point {
    const pan = this.cy.pan();
    const z = this.cy.zoom();
    return { x: p.x * z + pan.x, y: p.y * z + pan.y };
  }

  private finishWireDrag(drag: WireDrag, p: Point): void {
    const r = this.hitRadius() * 1.4;
    const at = this.cardAt(p, r);
    if (!at || at.e.uid === drag.uid) {
      if (at) {
        this.showStatus('A card cannot be wired to itself.', 'info');
      }
      return;
    }
    const wantSide = drag.side === 'output' ? 'input' : 'output';
    let name: string | null = null;
    const hit = hitPort(at.e.geom, at.local, r);
    if (hit && hit.side === wantSide) {
      name = hit.name;
    } else {
      const row = rowAt(at.e.geom, at.local);
      if (row && ((wantSide === 'input' && row.kind === 'port') || (wantSide === 'output' && row.kind === 'output'))) {
        name = row.name;
      } else {
        // dropped on the card body: the first free port of the matching type
        const cands = at.e.geom.rows.filter(
          rr => (wantSide === 'input' ? rr.kind === 'port' : rr.kind === 'output') && rr.type === drag.type
        );
        const free = cands.find(rr => !(wantSide === 'input' && this.connected.get(at.e.uid)?.has('in:' + rr.name)));
        name = (free || cands[0])?.name ?? null;
      }
    }
    if (!name) {
      this.showError(
        `${at.e.spec?.title || 'This card'} '${at.e.model.get('name')}' has no ${wantSide === 'input' ? 'input' : 'output'} port of type ${typeShortName(drag.type)}.`
      );
      return;
    }
    const req =
      drag.side === 'output'
        ? { type: 'connect', source: drag.uid, source_port: drag.name, target: at.e.uid, target_port: name }
        : { type: 'connect', source: at.e.uid, source_port: name, target: drag.uid, target_port: drag.name };
    this.client.request(req).then(reply => {
      if (reply.ok) {
        const wire = reply.result?.wire;
        if (wire) {
          this.undoStack.push(connectEntry(this.call, wire));
        }
        this.showStatus('Connected.', 'ok');
      } else {
        this.showError(reply.error || 'The kernel refused this wire');
      }
    });
  }

  private onCanvasHover(ev: MouseEvent): void {
    if (!this.cy || this.wireDrag || ev.buttons) {
      return;
    }
    const x = ev.clientX;
    const y = ev.clientY;
    if (this.rafHover) {
      return;
    }
    this.rafHover = requestAnimationFrame(() => {
      this.rafHover = 0;
      const p = this.modelPoint(x, y);
      const port = this.portAt(p);
      this.canvasWrap.classList.toggle('nnc-over-port', !!port);
      if (port) {
        const spec = port.e.spec;
        const inp = spec?.inputs.find(i => i.name === port.hit.name);
        const outp = spec?.outputs.find(o => o.name === port.hit.name);
        const label = (port.hit.side === 'input' ? inp?.label : outp?.label) || port.hit.name;
        this.showTooltip(x, y, `${label} · ${typeShortName(port.hit.type)}`, (inp || outp)?.help, false);
        return;
      }
      const at = this.cardAt(p);
      const err = at && at.e.model.get('error');
      if (err) {
        this.showTooltip(x, y, `${at!.e.model.get('name')}: ${err}`, undefined, true);
        return;
      }
      this.hideTooltip();
    });
  }

  private showTooltip(clientX: number, clientY: number, text: string, help?: string, error = false): void {
    const r = this.canvasWrap.getBoundingClientRect();
    const t = this.tooltipEl;
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

  private hideTooltip(): void {
    this.tooltipEl.style.display = 'none';
  }

  // ---------------------------------------------------------------- keyboard

  private onKeyDown(e: KeyboardEvent): void {
    if (isTextTarget(e.target)) {
      // Keys typed in fields belong to the field; keep JupyterLab from acting on them.
      e.stopPropagation();
      return;
    }
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.toLowerCase();
    let handled = true;
    if (e.key === 'Delete' || e.key === 'Backspace') {
      this.deleteSelected();
    } else if (mod && key === 'z' && e.shiftKey) {
      this.redo();
    } else if (mod && key === 'z') {
      this.undo();
    } else if (mod && key === 'y') {
      this.redo();
    } else if (mod && key === 'a') {
      this.cy?.elements().select();
    } else if (e.key === 'Escape') {
      this.cy?.elements().unselect();
    } else {
      handled = false;
    }
    if (handled) {
      e.preventDefault();
    }
    e.stopPropagation();
  }

  // ---------------------------------------------------------------- actions

  /** Call a request; resolves with its result or throws the kernel's reason. */
  call: Call = (req: any) => this.client.call(req);

  addCardFromPalette(cardId: string, at?: Point): Promise<string | null> {
    const spec = this.specs.get(cardId);
    if (!spec || !this.cy) {
      return Promise.resolve(null);
    }
    this.autoViewport = false;
    const geom = { width: layoutCard(spec, {}).width, height: placementHeight(spec) };
    let preferred = at;
    const selected = this.cy.$('node:selected');
    if (!preferred && selected.length === 1) {
      const s = this.byUid.get(selected[0].id());
      if (s) {
        const p = s.node.position();
        preferred = {
          x: p.x + s.geom.width / 2 + 70 + geom.width / 2,
          y: p.y - s.geom.height / 2 + geom.height / 2
        };
      }
    }
    if (!preferred) {
      const ext = this.cy.extent();
      preferred = this.cards.size
        ? { x: ext.x1 + ext.w / 2, y: ext.y1 + ext.h / 2 }
        : { x: ext.x1 + Math.min(ext.w / 2, 60 + geom.width / 2), y: ext.y1 + 40 + geom.height / 2 };
    }
    const taken: Rect[] = Array.from(this.cards.values()).map(e => {
      const p = e.node.position();
      return { x: p.x, y: p.y, w: Math.max(e.geom.width, PLACEMENT_MIN_WIDTH), h: e.geom.height + 30 };
    });
    const pos = findFreeSpot(taken, Math.max(geom.width, PLACEMENT_MIN_WIDTH), geom.height + 30, preferred, 24);
    const position = { x: round1(pos.x), y: round1(pos.y) };
    return this.client.request({ type: 'add', card_id: cardId, position }).then(r => {
      if (!r.ok) {
        this.showError(r.error || `Could not add ${spec.title}`);
        return null;
      }
      const uid = String(r.result?.uid);
      this.undoStack.push(addEntry(this.call, uid, `add ${spec.title}`));
      this.showStatus(`Added ${spec.title}.`, 'ok');
      const e = this.byUid.get(uid);
      if (e) {
        this.cy.elements().unselect();
        e.node.select();
        this.ensureVisible(e.node);
      } else {
        this.pendingSelect = uid;
      }
      return uid;
    });
  }

  deleteSelected(): void {
    if (!this.cy) {
      return;
    }
    const sel = this.cy.$(':selected');
    const cards = sel.nodes().map(n => n.id());
    const cardSet = new Set(cards);
    const wires = sel
      .edges()
      .filter(e => !cardSet.has(e.source().id()) && !cardSet.has(e.target().id()))
      .map(e => e.id());
    if (!cards.length && !wires.length) {
      this.showStatus('Select cards or wires to delete them.', 'info');
      return;
    }
    this.client.request({ type: 'remove', cards, wires }).then(r => {
      if (!r.ok) {
        this.showError(r.error || 'Could not delete');
        return;
      }
      const removed = r.result?.removed || { cards: [], wires: [] };
      this.undoStack.push(removeEntry(this.call, removed, 'delete'));
      const nc = removed.cards.length;
      const nw = removed.wires.length;
      this.showStatus(
        `Deleted ${[nc ? `${nc} card${nc > 1 ? 's' : ''}` : '', nw ? `${nw} wire${nw > 1 ? 's' : ''}` : ''].filter(Boolean).join(' and ')}. Ctrl+Z brings ${nc + nw > 1 ? 'them' : 'it'} back.`,
        'ok'
      );
    });
  }

  async undo(): Promise<void> {
    const label = this.undoStack.undoLabel;
    try {
      if (await this.undoStack.undo()) {
        this.showStatus(`Undid ${label}.`, 'ok');
      }
    } catch (err: any) {
      this.showError(`Cannot undo ${label}: ${err?.message || err}`);
    }
  }

  async redo(): Promise<void> {
    const label = this.undoStack.redoLabel;
    try {
      if (await this.undoStack.redo()) {
        this.showStatus(`Redid ${label}.`, 'ok');
      }
    } catch (err: any) {
      this.showError(`Cannot redo ${label}: ${err?.message || err}`);
    }
  }

  /** Lay the graph out left to right with dagre, then tell the kernel the new positions. */
  runLayout(): void {
    const cy = this.cy;
    if (!cy || !cy.nodes().length) {
      return;
    }
    const old: Record<string, Point> = {};
    cy.nodes().forEach(n => {
      old[n.id()] = { ...n.position() };
    });
    const common = { fit: false, animate: false };
    try {
      cy.layout({ name: 'dagre', rankDir: 'LR', nodeSep: 36, rankSep: 90, edgeSep: 16, ...common } as any).run();
    } catch {
      cy.layout({ name: 'breadthfirst', directed: true, spacingFactor: 1.2, ...common } as any).run();
    }
    const positions: Record<string, Point> = {};
    cy.nodes().forEach(n => {
      const p = n.position();
      positions[n.id()] = { x: round1(p.x), y: round1(p.y) };
    });
    this.fitView(true);
    this.client.request({ type: 'move', positions }).then(r => {
      if (r.ok) {
        this.undoStack.push(moveEntry(this.call, (r.result && r.result.old) || old, positions, 'layout'));
        this.showStatus('Laid out left to right.', 'ok');
      } else {
        this.showError(r.error || 'The kernel refused the new positions');
      }
    });
  }

  // ---------------------------------------------------------------- inspector

  private inspectorTimer: any = null;

  private scheduleInspector(): void {
    if (this.inspectorTimer) {
      return;
    }
    this.inspectorTimer = setTimeout(() => {
      this.inspectorTimer = null;
      this.renderInspector();
      this.updateButtons();
    }, 0);
  }

  private refreshInspectorIfShowing(): void {
    this.scheduleInspector();
  }

  private renderInspector(): void {
    const box = this.inspectorEl;
    if (!box) {
      return;
    }
    const sel = this.cy ? this.cy.$(':selected') : null;
    const nodes = sel ? sel.nodes() : null;
    const edges = sel ? sel.edges() : null;
    box.innerHTML = '';
    this.inspectorUid = null;
    if (nodes && nodes.length === 1 && edges!.length === 0) {
      const e = this.byUid.get(nodes[0].id());
      if (e) {
        this.inspectorUid = e.uid;
        this.renderCardInspector(e);
        return;
      }
    }
    if (edges && edges.length === 1 && nodes!.length === 0) {
      this.renderWireInspector(edges[0]);
      return;
    }
    if (sel && sel.length > 1) {
      box.appendChild(h('div', { class: 'nnc-panel-title', text: 'Selection' }));
      box.appendChild(
        h('div', { class: 'nnc-insp-note', text: `${nodes!.length} card${nodes!.length === 1 ? '' : 's'} and ${edges!.length} wire${edges!.length === 1 ? '' : 's'} selected.` })
      );
      const del = h('button', { class: 'nnc-btn nnc-btn-danger', type: 'button', text: 'Delete selection' });
      del.addEventListener('click', () => this.deleteSelected());
      box.appendChild(del);
      return;
    }
    box.appendChild(h('div', { class: 'nnc-panel-title', text: 'Inspector' }));
    box.appendChild(
      h(
        'div',
        { class: 'nnc-insp-help' },
        h('p', { text: 'Select a card to edit its parameters here.' }),
        h('p', { text: 'Drag from an output port (right) to an input port (left) to wire two cards; the wire’s colour shows its type.' }),
        h('p', { text: 'Shift-click or shift-drag to select several; Delete removes; Ctrl+Z / Ctrl+Shift+Z undo and redo.' })
      )
    );
    box.appendChild(this.legend());
  }

  private legend(): HTMLElement {
    const types = ['NeuralNetworkTensor', 'NeuralNetworkLayer', 'NeuralNetworkInitializer', 'NeuralNetworkRegularizer', 'NeuralNetworkConstraint'];
    return h(
      'div',
      { class: 'nnc-legend' },
      h('div', { class: 'nnc-insp-section', text: 'Port types' }),
      ...types.map(t =>
        h('div', { class: 'nnc-legend-row' }, h('span', { class: 'nnc-dot', style: `background:${typeColor(t)}` }), typeShortName(t))
      )
    );
  }

  private renderCardInspector(e: CardEntry): void {
    const box = this.inspectorEl;
    const m = e.model;
    const spec = e.spec;
    box.setAttribute('data-uid', e.uid);
    const head = h(
      'div',
      { class: 'nnc-insp-head' },
      h('span', { class: 'nnc-pal-swatch', style: `background:${categoryColor(spec?.category)}` }),
      h('div', {}, h('div', { class: 'nnc-insp-title', text: spec?.title || m.get('card_id') }), h('div', { class: 'nnc-insp-sub', text: [m.get('name'), spec?.keras_class].filter(Boolean).join(' · ') }))
    );
    box.appendChild(head);
    box.appendChild(this.cardStatusBlock(e));
    const form = h('div', { class: 'nnc-form' });
    // The card's name first (Input/Output cards have it as their "Name" parameter).
    const nameInput: InputSpec = { label: 'Name', name: 'name', type: 'String', kind: 'param', help: 'The name of the card (the Keras layer name).' };
    form.appendChild(this.fieldFor(e, nameInput));
    if (spec) {
      for (const inp of spec.inputs) {
        if (isParam(inp) && inp.name !== 'name') {
          form.appendChild(this.fieldFor(e, inp));
        }
      }
    }
    box.appendChild(h('div', { class: 'nnc-insp-section', text: 'Parameters' }));
    box.appendChild(form);
    box.appendChild(this.portsBlock(e));
  }

  /** Error, output shape, parameter count and preview of a card (refreshed in place). */
  private cardStatusBlock(e: CardEntry): HTMLElement {
    const m = e.model;
    const out = h('div', { class: 'nnc-insp-dynamic', 'data-block': 'status' });
    const err: string = m.get('error') || '';
    if (err) {
      out.appendChild(h('div', { class: 'nnc-insp-error', 'data-testid': 'nncards-card-error', text: err }));
    }
    const shape = formatShape(m.get('output_shape'));
    const pc = m.get('param_count');
    if (shape || typeof pc === 'number') {
      out.appendChild(
        h(
          'div',
          { class: 'nnc-insp-facts' },
          shape ? h('div', {}, h('span', { class: 'nnc-fact-k', text: 'Output shape' }), h('code', { 'data-testid': 'nncards-output-shape', text: shape })) : null,
          typeof pc === 'number' ? h('div', {}, h('span', { class: 'nnc-fact-k', text: 'Parameters' }), h('span', { 'data-testid': 'nncards-param-count', text: formatCount(pc) })) : null
        )
      );
    }
    const preview = m.get('preview');
    if (hasPreview(preview)) {
      out.appendChild(this.previewBlock(preview, isStale(m)));
    }
    return out;
  }

  /** The inspector's large view of a card's inspection preview: picture and every statistic. */
  private previewBlock(pv: PreviewData, stale: boolean): HTMLElement {
    const box = h('div', {
      class: 'nnc-insp-preview' + (stale ? ' nnc-stale' : ''),
      'data-testid': 'nncards-preview',
      'data-stale': stale ? 'true' : 'false'
    });
    const kindName: Record<string, string> = {
      histogram: 'Histogram of the values',
      heatmap: 'Heatmap: features × steps (first sample)',
      channels: 'Channel maps (first sample)'
    };
    box.appendChild(
      h(
        'div',
        { class: 'nnc-insp-section nnc-preview-title' },
        h('span', { text: 'Output on the sample' }),
        stale ? h('span', { class: 'nnc-stale-badge', 'data-testid': 'nncards-preview-stale', text: 'Stale' }) : null
      )
    );
    const src = pv.image_large || pv.image;
    if (src) {
      box.appendChild(h('img', { src, alt: kindName[pv.kind || ''] || 'output preview', 'data-testid': 'nncards-preview-image', 'data-kind': pv.kind || '' }));
      box.appendChild(h('div', { class: 'nnc-insp-caption', text: kindName[pv.kind || ''] || '' }));
    }
    const rows: [string, string, string][] = [
      ['shape', 'Shape', formatShape(pv.shape || [])],
      ['dtype', 'Dtype', pv.dtype || ''],
      ['min', 'Min', formatStat(pv.min)],
      ['mean', 'Mean', formatStat(pv.mean)],
      ['max', 'Max', formatStat(pv.max)],
      ['std', 'Std', formatStat(pv.std)],
      ['zeros', 'Zeros', formatShare(pv.zeros)]
    ];
    const table = h('div', { class: 'nnc-stats', 'data-testid': 'nncards-preview-stats' });
    for (const [key, label, text] of rows) {
      const raw = (pv as any)[key];
      table.appendChild(
        h(
          'div',
          { class: 'nnc-stat', 'data-stat': key, 'data-value': raw === undefined || raw === null ? '' : JSON.stringify(raw) },
          h('span', { class: 'nnc-fact-k', text: label }),
          h('code', { text })
        )
      );
    }
    box.appendChild(table);
    if (stale) {
      box.appendChild(
        h('div', { class: 'nnc-insp-note nnc-stale-note', text: 'The graph changed since this preview was taken; run ed.inspect(sample) again to refresh it.' })
      );
    }
    return box;
  }

  private portsBlock(e: CardEntry): HTMLElement {
    const spec = e.spec;
    const out = h('div', { 'data-block': 'ports' });
    if (spec) {
      const ports = spec.inputs.filter(i => !isParam(i));
      const rows: HTMLElement[] = [];
      const con = this.connected.get(e.uid);
      for (const p of ports) {
        rows.push(this.portRow(p.label, p.type, 'in', !!con?.has('in:' + p.name)));
      }
      for (const p of spec.outputs) {
        rows.push(this.portRow(p.label, p.type, 'out', !!con?.has('out:' + p.name)));
      }
      if (rows.length) {
        out.appendChild(h('div', { class: 'nnc-insp-section', text: 'Ports' }));
        out.appendChild(h('div', { class: 'nnc-ports' }, ...rows));
      }
    }
    return out;
  }

  private renderWireInspector(edge: cytoscape.EdgeSingular): void {
    const box = this.inspectorEl;
    const d = edge.data();
    const src = this.byUid.get(d.source);
    const tgt = this.byUid.get(d.target);
    const outLabel = src?.spec?.outputs.find(o => o.name === d.source_port)?.label || d.source_port;
    const inLabel = tgt?.spec?.inputs.find(i => i.name === d.target_port)?.label || d.target_port;
    box.appendChild(
      h(
        'div',
        { class: 'nnc-insp-head' },
        h('span', { class: 'nnc-dot', style: `--c:${typeColor(d.port_type)}` }),
        h('div', {}, h('div', { class: 'nnc-insp-title', text: `${typeShortName(d.port_type || '')} wire` }), h('div', { class: 'nnc-insp-sub', text: d.id }))
      )
    );
    box.appendChild(
      h(
        'div',
        { class: 'nnc-wire-route', 'data-testid': 'nncards-wire-route' },
        h('div', {}, h('span', { class: 'nnc-fact-k', text: 'From ' }), `${src?.model.get('name') || d.source} · ${outLabel}`),
        h('div', {}, h('span', { class: 'nnc-fact-k', text: 'To ' }), `${tgt?.model.get('name') || d.target} · ${inLabel}`),
        d.shape ? h('div', {}, h('span', { class: 'nnc-fact-k', text: 'Shape ' }), h('code', { text: d.shape })) : null
      )
    );
    const del = h('button', { class: 'nnc-btn nnc-btn-danger', type: 'button', text: 'Delete wire', 'data-testid': 'nncards-delete-wire' });
    del.addEventListener('click', () => this.deleteSelected());
    box.appendChild(del);
  }

  private portRow(label: string, type: string, dir: 'in' | 'out', wired: boolean): HTMLElement {
    return h(
      'div',
      { class: 'nnc-port-row' },
      h('span', { class: 'nnc-dot' + (wired ? '' : ' nnc-dot-hollow'), style: `--c:${typeColor(type)}` }),
      h('span', { class: 'nnc-port-label', text: label }),
      h('span', { class: 'nnc-port-type', text: `${dir === 'in' ? 'in' : 'out'} · ${typeShortName(type)}` })
    );
  }

  private currentValue(e: CardEntry, inp: InputSpec): unknown {
    return inp.name === 'name' ? e.model.get('name') : e.model.get(inp.name);
  }

  private fieldFor(e: CardEntry, inp: InputSpec): HTMLElement {
    const value = this.currentValue(e, inp);
    const id = `nnc-${e.uid}-${inp.name}-${Math.random().toString(36).slice(2, 7)}`;
    const wrap = h('div', { class: 'nnc-field', 'data-param': inp.name });
    const label = h('label', { for: id, class: 'nnc-field-label', title: inp.help || '' }, inp.label);
    if (inp.help) {
      label.appendChild(h('span', { class: 'nnc-help', title: inp.help, text: '?' }));
    }
    const errEl = h('div', { class: 'nnc-field-error', 'data-testid': `nncards-param-error-${inp.name}` });
    let control: HTMLInputElement | HTMLSelectElement;
    const commit = (raw: string | boolean | null) => this.commitParam(e, inp, raw, control, errEl);
    const row = h('div', { class: 'nnc-field-row' });
    if (inp.type === 'Boolean' && !isList(inp)) {
      const cb = h('input', { id, type: 'checkbox', class: 'nnc-check', 'data-testid': `nncards-param-${inp.name}` });
      cb.checked = !!value;
      cb.addEventListener('change', () => commit(cb.checked));
      control = cb;
      wrap.classList.add('nnc-field-bool');
    } else if (inp.choices && inp.choices.length && !isList(inp)) {
      const sel = h('select', { id, class: 'nnc-input', 'data-testid': `nncards-param-${inp.name}` });
      if (inp.optional || value === null || value === undefined) {
        sel.appendChild(h('option', { value: '', text: inp.optional ? '(none)' : '(choose)' }));
      }
      for (const c of inp.choices) {
        sel.appendChild(h('option', { value: String(c), text: String(c) }));
      }
      sel.value = value === null || value === undefined ? '' : String(value);
      sel.addEventListener('change', () => commit(sel.value === '' ? null : sel.value));
      control = sel;
    } else {
      const numeric = !isList(inp) && (inp.type === 'Integer' || inp.type === 'Float');
      const inpEl = h('input', {
        id,
        class: 'nnc-input' + (numeric ? ' nnc-num' : ''),
        type: numeric ? 'number' : 'text',
        step: inp.type === 'Integer' ? '1' : 'any',
        min: numeric && typeof inp.minimum === 'number' ? inp.minimum : null,
        max: numeric && typeof inp.maximum === 'number' ? inp.maximum : null,
        placeholder: isList(inp) ? 'e.g. 13 or 20, 16' : inp.optional ? 'None' : '',
        spellcheck: 'false',
        'data-testid': `nncards-param-${inp.name}`
      });
      inpEl.value = valueToText(inp, value);
      inpEl.addEventListener('change', () => commit(inpEl.value));
      inpEl.addEventListener('keydown', ev => {
        if (ev.key === 'Enter') {
          ev.preventDefault();
          commit(inpEl.value);
        } else if (ev.key === 'Escape') {
          inpEl.value = valueToText(inp, this.currentValue(e, inp));
          this.setFieldError(inpEl, errEl, '');
          inpEl.blur();
        }
      });
      control = inpEl;
    }
    row.appendChild(control);
    if (inp.optional) {
      const clear = h('button', { class: 'nnc-clear', type: 'button', title: `Clear ${inp.label} (None)`, 'aria-label': `Clear ${inp.label}`, 'data-testid': `nncards-param-clear-${inp.name}` });
      clear.appendChild(icon('close'));
      clear.addEventListener('click', () => {
        if (control instanceof HTMLInputElement && control.type !== 'checkbox') {
          control.value = '';
        } else if (control instanceof HTMLSelectElement) {
          control.value = '';
        }
        commit(null);
      });
      row.appendChild(clear);
    }
    (control as any).__nncInput = inp;
    if (inp.type === 'Boolean') {
      const line = h('div', { class: 'nnc-field-row' }, control, label);
      wrap.appendChild(line);
    } else {
      wrap.appendChild(label);
      wrap.appendChild(row);
    }
    wrap.appendChild(errEl);
    return wrap;
  }

  private setFieldError(control: HTMLElement, errEl: HTMLElement, msg: string): void {
    errEl.textContent = msg;
    control.classList.toggle('nnc-invalid', !!msg);
    control.setAttribute('aria-invalid', msg ? 'true' : 'false');
  }

  private commitParam(
    e: CardEntry,
    inp: InputSpec,
    raw: string | boolean | null,
    control: HTMLInputElement | HTMLSelectElement,
    errEl: HTMLElement
  ): void {
    const parsed = inp.name === 'name' ? ({ ok: true, value: typeof raw === 'string' ? raw.trim() : raw } as const) : parseParam(inp, raw);
    if (!parsed.ok) {
      this.setFieldError(control, errEl, parsed.error);
      return;
    }
    const current = this.currentValue(e, inp);
    if (JSON.stringify(current) === JSON.stringify(parsed.value)) {
      this.setFieldError(control, errEl, '');
      return;
    }
    const uid = e.uid;
    this.client.request({ type: 'set_param', uid, name: inp.name, value: parsed.value }).then(r => {
      if (r.ok) {
        this.setFieldError(control, errEl, '');
        const old = r.result && 'old' in r.result ? r.result.old : current;
        this.undoStack.push(setParamEntry(this.call, uid, inp.name, old, parsed.value, `edit ${inp.label}`));
        this.showStatus(`${inp.label} = ${formatValue(inp, parsed.value)}`, 'ok');
      } else {
        this.setFieldError(control, errEl, r.error || 'Refused');
        this.showError(r.error || 'Refused');
      }
    });
  }

  /** Update inspector fields from the model, leaving a field the user is editing alone. */
  private refreshInspectorValues(): void {
    const e = this.inspectorUid ? this.byUid.get(this.inspectorUid) : null;
    if (!e) {
      return;
    }
    const active = document.activeElement;
    const fields = Array.from(this.inspectorEl.querySelectorAll('input, select')) as (HTMLInputElement | HTMLSelectElement)[];
    if (fields.some(f => f === active)) {
      // Refresh status and ports, and only the fields that are not being edited.
      const status = this.inspectorEl.querySelector('[data-block="status"]');
      if (status) {
        status.replaceWith(this.cardStatusBlock(e));
      }
      const ports = this.inspectorEl.querySelector('[data-block="ports"]');
      if (ports) {
        ports.replaceWith(this.portsBlock(e));
      }
      for (const f of fields) {
        const inp: InputSpec | undefined = (f as any).__nncInput;
        if (!inp || f === active || f.classList.contains('nnc-invalid')) {
          continue;
        }
        const v = this.currentValue(e, inp);
        if (f instanceof HTMLInputElement && f.type === 'checkbox') {
          f.checked = !!v;
        } else {
          f.value = f instanceof HTMLSelectElement ? (v === null || v === undefined ? '' : String(v)) : valueToText(inp, v);
        }
      }
      return;
    }
    const scroll = this.inspectorEl.scrollTop;
    this.renderInspector();
    this.inspectorEl.scrollTop = scroll;
  }

  // ---------------------------------------------------------------- status

  showStatus(msg: string, kind: 'ok' | 'info' | 'error' = 'info'): void {
    this.statusEl.textContent = msg;
    this.statusEl.className = `nnc-status-msg nnc-status-${kind}`;
  }

  showError(msg: string): void {
    this.showStatus(msg, 'error');
    const t = this.toastEl;
    t.innerHTML = '';
    t.appendChild(h('span', { class: 'nnc-toast-icon', text: '!' }));
    t.appendChild(h('span', { class: 'nnc-toast-text', text: msg }));
    const close = h('button', { class: 'nnc-toast-close', type: 'button', 'aria-label': 'Dismiss' });
    close.appendChild(icon('close'));
    close.addEventListener('click', () => t.classList.remove('nnc-show'));
    t.appendChild(close);
    t.classList.add('nnc-show');
    if (this.toastTimer) {
      clearTimeout(this.toastTimer);
    }
    this.toastTimer = setTimeout(() => t.classList.remove('nnc-show'), 8000);
  }

  private updateTotals(): void {
    const tp = this.model.get('total_params');
    this.totalEl.innerHTML = '';
    this.totalEl.appendChild(h('span', { class: 'nnc-total-k', text: 'Total params' }));
    this.totalEl.appendChild(h('span', { class: 'nnc-total-v', text: typeof tp === 'number' ? formatCount(tp) : '—' }));
  }

  private updateCounts(): void {
    const n = this.cards.size;
    const w = this.wires.size;
    this.countsEl.textContent = `${n} card${n === 1 ? '' : 's'} · ${w} wire${w === 1 ? '' : 's'}`;
  }

  private updateButtons(): void {
    if (!this.undoBtn) {
      return;
    }
    this.undoBtn.disabled = !this.undoStack.canUndo;
    this.redoBtn.disabled = !this.undoStack.canRedo;
    this.undoBtn.title = this.undoStack.undoLabel ? `Undo ${this.undoStack.undoLabel} (Ctrl+Z)` : 'Undo (Ctrl+Z)';
    this.redoBtn.title = this.undoStack.redoLabel ? `Redo ${this.undoStack.redoLabel} (Ctrl+Shift+Z)` : 'Redo (Ctrl+Shift+Z)';
    this.deleteBtn.disabled = !this.cy || this.cy.$(':selected').length === 0;
  }
}

/** A card whose preview no longer matches the graph. */
function isStale(m: any): boolean {
  return !!m.get('stale') && hasPreview(m.get('preview'));
}

function cardClasses(m: any): string {
  return 'card' + (m.get('error') ? ' nnc-error' : '') + (isStale(m) ? ' nnc-stale' : '');
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Cards used only through their "Layer instance" output (no wire from their tensor
 * Output): card uid -> uid of the card that takes the layer (a wrapper).
 */
function layerUsersOf(wires: any[]): Map<string, string> {
  const users = new Map<string, string>();
  const tensorOut = new Set<string>();
  for (const d of wires) {
    if (d.source_port === 'layer_instance') {
      users.set(String(d.source), String(d.target));
    } else if (d.port_type === 'NeuralNetworkTensor') {
      tensorOut.add(String(d.source));
    }
  }
  for (const uid of tensorOut) {
    users.delete(uid);
  }
  return users;
}

/** Ports with a wire, per card uid: "in:<port>" / "out:<port>". */
function connectionsOf(wires: any[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (uid: string, key: string) => {
    let s = out.get(uid);
    if (!s) {
      s = new Set();
      out.set(uid, s);
    }
    s.add(key);
  };
  for (const d of wires) {
    add(String(d.source), 'out:' + d.source_port);
    add(String(d.target), 'in:' + d.target_port);
  }
  return out;
}

function sameSet(a: Set<string> | undefined, b: Set<string> | undefined): boolean {
  const sa = a ? a.size : 0;
  const sb = b ? b.size : 0;
  if (sa !== sb) {
    return false;
  }
  if (!a || !b) {
    return true;
  }
  for (const x of a) {
    if (!b.has(x)) {
      return false;
    }
  }
  return true;
}

function unknownSpec(cardId: string): CardSpec {
  return { id: cardId, title: cardId || 'Card', category: [], inputs: [], outputs: [] };
}
