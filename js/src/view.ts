/**
 * NetworkEditorView: the card canvas. It extends ipycytoscape's CytoscapeView
 * but draws the graph itself, composing the parts below. The view never
 * changes the graph on its own; it sends requests (protocol.ts,
 * docs/protocol.md) and redraws when the kernel's answer arrives as
 * widget-state changes.
 *
 *   canvas.ts      cytoscape core, style, face cache, coordinates
 *   cardlayer.ts   graph models -> cards and wires on the canvas
 *   wiredrag.ts    drawing wires with the mouse, port tooltips
 *   viewport.ts    fit, zoom, level of detail
 *   minimap.ts     the overview in a corner of the canvas
 *   actions.ts     requests for the user's gestures (add, delete, move, undo, ...)
 *   paletteview.ts, inspector.ts (+ fields.ts), chrome.ts (toolbar, panels, status bar)
 *   testing.ts     read-only hooks for the browser tests and benchmarks
 */

import { CytoscapeView } from 'jupyter-cytoscape';

import { Actions, MoveTracker } from './actions';
import { CanvasAdapter } from './canvas';
import { download, networkSvg, svgToPng } from './picture';
import { faceTheme } from './cardsvg';
import { CardEntry, CardLayer } from './cardlayer';
import { isNestedSpec } from './groupdoc';
import { Groups } from './groups';
import {
  COMPACT_WIDTH,
  Panel,
  PANEL_WIDTH,
  panelPlaces,
  StatusBar,
  StatusKind,
  Toast,
  Toggle,
  Toolbar,
  Tooltip
} from './chrome';
import { categoryColor } from './colors';
import { h, isTextTarget } from './dom';
import { rowAt } from './geometry';
import { historyButtons, UNDO_TRAITS, undoStateOf } from './history';
import { Inspector } from './inspector';
import { isJupyterKey, keyAction } from './keys';
import { withCurves } from './lod';
import { trainingPanel } from './monitor';
import { cardsForWire, findCards, searchCatalog } from './palette';
import { DRAG_MIME, PaletteView } from './paletteview';
import { ContextMenu, MenuItem, Picker, ValueEditor } from './popup';
import { paramField } from './fields';
import { catalogFor } from './catalogcache';
import { watchPersistence } from './persistence';
import { PreviewAsker } from './previews';
import { RequestClient } from './requests';
import { registerForTesting } from './testing';
import { CardSpec, Point } from './types';
import { Minimap, MinimapMode } from './minimap';
import { boxOf, fitViewport, FOCUS_ZOOM, Insets, NO_INSETS, READABLE_ZOOM, Viewport, wheelFactor } from './viewport';
import { hoverText, WireDragger } from './wiredrag';
import { DragStart } from './wiring';

/** Below this width a network made in Python opens with the palette hidden. */
const WIDE_EDITOR = 1400;

/** What the user chose to show, kept per editor for the browser session (sessionStorage). */
interface Shown {
  palette?: boolean;
  inspector?: boolean;
  minimap?: MinimapMode;
}

export class NetworkEditorView extends CytoscapeView {
  client!: RequestClient;
  readonly specs = new Map<string, CardSpec>();
  canvas!: CanvasAdapter;
  layer!: CardLayer;
  /** Nested-model cards drawn as collapsible groups. */
  groups!: Groups;
  viewport!: Viewport;
  actions!: Actions;
  /** Milliseconds of the first full render, for benchmarks. */
  firstRenderMs: number | null = null;
  /** performance.now() marks of the view's life (render, displayed, canvas ready), for benchmarks. */
  readonly timings: Record<string, number> = {};

  private moves!: MoveTracker;
  private wireDrag!: WireDragger;
  private toolbar!: Toolbar;
  private statusBar!: StatusBar;
  private toast!: Toast;
  private tooltip!: Tooltip;
  private palette!: PaletteView;
  private inspector!: Inspector;
  /** Asks the kernel for the pending inspection previews of the cards shown. */
  private previews!: PreviewAsker<CardEntry>;
  private canvasWrap!: HTMLElement;
  private overlayEl!: SVGSVGElement;
  private emptyEl!: HTMLElement;
  /** Panels shown (null: not decided yet, see decidePanels). */
  private open: Record<Panel, boolean | null> = { palette: null, inspector: null };
  private chosen: Shown = {};
  /** The inspector was folded so the network opens readable: a selection shows it over the canvas. */
  private floatInspector = false;
  private insets: Insets = NO_INSETS;
  /** Uids of the cards drawn so far (new ones are brought into view). */
  private knownUids = new Set<string>();
  minimap!: Minimap;
  private pendingSelect = new Set<string>();
  private picker = new Picker();
  private menu = new ContextMenu();
  private valueEditor = new ValueEditor();
  /** Where the pointer last was over the canvas (client coordinates), for keys that add there. */
  private pointer: Point | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private rafHover = 0;
  private unregister: (() => void) | null = null;
  private themeObserver: MutationObserver | null = null;

  // ---------------------------------------------------------------- set-up

  render(): void {
    this.timings.render = performance.now();
    const el = this.el as HTMLElement;
    el.classList.add('nnc-editor');
    el.setAttribute('data-testid', 'nncards-editor');
    el.setAttribute('tabindex', '0');
    // Notebook shortcuts are off inside the editor, except Jupyter's own keys
    // (Ctrl+S, Shift+Enter, Escape): see gateKeys.
    this.setShortcutsSuppressed(true);
    window.addEventListener('keydown', this.gateKeys, true);

    this.client = new RequestClient(msg => this.model.send(msg, {}), 60000);
    this.buildParts();
    this.buildDom();
    this.unregister = registerForTesting(this);
    this.once(
      'remove',
      watchPersistence({
        el,
        model: this.model,
        wrap: this.canvasWrap,
        request: r => this.client.request(r),
        readOnly: title => {
          // no later message ("Connected.", an error of a request that could not be sent) replaces it
          this.toast.hide();
          this.statusBar.setCondition(title);
        }
      })
    );

    this.listenTo(this.model, 'msg:custom', (msg: any) => this.client.handleMessage(msg));
    this.listenTo(this.model, 'change:catalog change:catalog_version', () => this.onCatalogChange());
    this.listenTo(this.model, 'change:card_specs', () => this.addCardSpecs());
    this.listenTo(this.model, 'change:total_params', () => this.toolbar.setTotalParams(this.model.get('total_params')));
    this.listenTo(this.model, UNDO_TRAITS.map(t => `change:${t}`).join(' '), () => this.updateButtons());
    const graph = this.model.get('graph');
    if (graph) {
      this.listenTo(graph, 'change:nodes change:edges', () => this.layer.scheduleSync());
    }
    this.onCatalogChange(false);
    this.toolbar.setTotalParams(this.model.get('total_params'));
    this.updateButtons();

    el.addEventListener('keydown', e => this.onKeyDown(e));
    this.displayed.then(() => this.initCanvas());
  }

  private buildParts(): void {
    const status = (msg: string, kind: StatusKind = 'info'): void => this.showStatus(msg, kind);
    const error = (msg: string): void => this.showError(msg);
    // the parts' hosts read the core through getters: it exists only once the view is displayed
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.canvas = new CanvasAdapter(h('div', { class: 'nnc-canvas', 'data-testid': 'nncards-canvas' }));
    this.viewport = new Viewport({
      get cy() {
        return self.canvas.cy;
      },
      footprints: () => this.layer.footprints(),
      inputsY: () => this.layer.inputsY(),
      insets: () => this.insets
    });
    this.minimap = new Minimap({
      get cy() {
        return self.canvas.cy;
      },
      cards: () =>
        Array.from(this.layer.cards.values()).map(e => {
          const c = e.node.position();
          const w = e.geom.width / 2;
          const hh = e.geom.height / 2;
          return { x1: c.x - w, y1: c.y - hh, x2: c.x + w, y2: c.y + hh, color: categoryColor(e.spec?.category) };
        }),
      wires: () =>
        this.canvas.cy
          ? this.canvas.cy.edges().map(w => [w.source().position(), w.target().position()] as [Point, Point])
          : [],
      network: () => boxOf(this.layer.footprints()),
      extent: () => this.viewport.extent(),
      area: () => this.viewport.area(),
      panned: () => (this.viewport.automatic = false),
      shownChanged: shown => this.toolbar.setToggle('minimap', shown)
    });
    this.layer = new CardLayer({
      model: this.model,
      specs: this.specs,
      canvas: this.canvas,
      timings: this.timings,
      isFar: () => this.viewport.far,
      lodBand: () => this.viewport.lod?.band || 0,
      isDragging: uid => this.moves.dragging(uid),
      elementsChanged: () => {
        this.onElementsChanged();
        this.previews.schedule();
      },
      cardChanged: uid => {
        this.inspector.cardChanged(uid);
        this.previews.schedule();
      },
      wireChanged: () => this.inspector.schedule(() => this.updateButtons()),
      adjustFace: (e, face) => this.groups.face(e, face)
    });
    this.previews = new PreviewAsker<CardEntry>({
      cards: () => this.layer.cards.values(),
      onScreen: e => this.layer.onScreen(e),
      selected: e => e.node.selected(),
      far: () => this.viewport.far,
      live: () => !!this.canvas.cy && this.model.comm_live !== false,
      request: req => this.client.request(req)
    });
    this.groups = new Groups({
      canvas: this.canvas,
      layer: this.layer,
      specs: this.specs,
      status: msg => this.showStatus(msg, 'ok')
    });
    this.actions = new Actions({
      get cy() {
        return self.canvas.cy;
      },
      model: this.model,
      client: this.client,
      specs: this.specs,
      layer: this.layer,
      viewport: this.viewport,
      status,
      error,
      selectWhenShown: uid => this.selectWhenShown(uid)
    });
    this.moves = new MoveTracker(this.layer, positions => this.actions.move(positions));
    this.statusBar = new StatusBar();
    this.toast = new Toast();
    this.tooltip = new Tooltip(() => this.canvasWrap);
    this.toolbar = new Toolbar({
      toggle: what => this.toggle(what),
      undo: () => this.actions.undo(),
      redo: () => this.actions.redo(),
      deleteSelected: () => this.actions.deleteSelected(),
      layout: () => this.actions.layout(),
      fit: () => this.viewport.fit(),
      zoomBy: f => this.viewport.zoomBy(f),
      exportPicture: btn => this.openExportMenu(btn),
      pressed: () => (this.viewport.automatic = false)
    });
    this.palette = new PaletteView(id => this.actions.addCard(id));
    this.inspector = new Inspector({
      get cy() {
        return self.canvas.cy;
      },
      layer: this.layer,
      deleteSelected: () => this.actions.deleteSelected(),
      setParam: (uid, inp, value) => this.actions.setParam(uid, inp, value)
    });
  }

  private buildDom(): void {
    const el = this.el as HTMLElement;
    el.innerHTML = '';
    this.overlayEl = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    this.overlayEl.setAttribute('class', 'nnc-overlay');
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
      this.canvas.container,
      this.overlayEl as any,
      this.emptyEl,
      this.tooltip.el,
      this.toast.el,
      this.minimap.el
    );
    this.wireDrag = new WireDragger({
      canvas: this.canvas,
      layer: this.layer,
      overlay: this.overlayEl,
      wrap: this.canvasWrap,
      request: req => this.client.request(req),
      status: (msg, kind) => this.showStatus(msg, kind),
      error: msg => this.showError(msg),
      hideTooltip: () => this.tooltip.hide(),
      droppedOnCanvas: (drag, at) => this.offerCardsForWire(drag, at)
    });
    this.bindCanvasWrap(this.canvasWrap);
    const main = h('div', { class: 'nnc-main' }, this.palette.el, this.canvasWrap, this.inspector.el);
    el.appendChild(this.toolbar.el);
    el.appendChild(main);
    el.appendChild(trainingPanel(this));
    el.appendChild(this.statusBar.el);
    this.inspector.render();
  }

  private bindCanvasWrap(wrap: HTMLElement): void {
    wrap.addEventListener('dragover', e => {
      if (e.dataTransfer && Array.from(e.dataTransfer.types).includes(DRAG_MIME)) {
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }
    });
    wrap.addEventListener('drop', e => {
      const id = e.dataTransfer?.getData(DRAG_MIME);
      if (id && this.canvas.cy) {
        e.preventDefault();
        this.actions.addCard(id, this.canvas.modelPoint(e.clientX, e.clientY));
      }
    });
    // Port drags must be seen before cytoscape starts grabbing the card.
    wrap.addEventListener('mousedown', e => this.onCanvasMouseDown(e), true);
    // smooth zoom steps: a wheel notch zooms by about 15% around the pointer
    wrap.addEventListener('wheel', e => this.onWheel(e), { capture: true, passive: false });
    wrap.addEventListener('contextmenu', e => this.onContextMenu(e));
    wrap.addEventListener('mousemove', e => (this.pointer = { x: e.clientX, y: e.clientY }), true);
    wrap.addEventListener('pointerdown', () => (this.viewport.automatic = false), true);
    wrap.addEventListener('mousemove', e => this.onCanvasHover(e));
    wrap.addEventListener('mouseleave', () => this.tooltip.hide());
    // The wrapper clips the canvas; it must never scroll (focus or drag autoscroll could).
    wrap.addEventListener('scroll', () => {
      wrap.scrollTop = 0;
      wrap.scrollLeft = 0;
    });
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
    if (this.themeObserver) {
      this.themeObserver.disconnect();
    }
    window.removeEventListener('keydown', this.gateKeys, true);
    if (this.resizeObserver) {
      this.resizeObserver.disconnect();
    }
    if (this.minimap) {
      this.minimap.dispose();
    }
    if (this.groups) {
      this.groups.dispose();
    }
    if (this.previews) {
      this.previews.dispose();
    }
    if (this.layer) {
      this.layer.dispose();
    }
    if (this.canvas) {
      this.canvas.destroy();
    }
    if (this.unregister) {
      this.unregister();
    }
    return super.remove();
  }

  /** Show or hide the card palette. */
  setPaletteOpen(open: boolean): void {
    this.setPanelOpen('palette', open);
  }

  /** A toolbar toggle: the user shows or hides a panel or the minimap (remembered for this editor). */
  private toggle(what: Toggle): void {
    if (what === 'minimap') {
      const mode: MinimapMode = this.minimap.shown ? 'off' : 'on';
      this.minimap.setMode(mode);
      this.remember({ minimap: mode });
      return;
    }
    const open = !this.open[what];
    if (what === 'inspector') {
      this.floatInspector = false; // the user's own choice: beside the canvas when it fits
    }
    this.setPanelOpen(what, open);
    this.remember({ [what]: open });
    if (what === 'palette' && open) {
      this.palette.searchEl.focus({ preventScroll: true });
    }
  }

  private storageKey(): string {
    return `nncards-shown:${this.model.model_id}`;
  }

  private remember(change: Shown): void {
    this.chosen = { ...this.chosen, ...change };
    try {
      sessionStorage.setItem(this.storageKey(), JSON.stringify(this.chosen));
    } catch {
      /* storage may be off: the choice lasts as long as the view */
    }
  }

  private recall(): Shown {
    try {
      return JSON.parse(sessionStorage.getItem(this.storageKey()) || '{}') || {};
    } catch {
      return {};
    }
  }

  /**
   * The panels' first state, once the editor has a width: what the user chose
   * before for this editor, else the palette open for an empty editor and
   * folded for a network made in Python (unless the editor is wide), the
   * inspector open when it fits beside the canvas.
   */
  private decidePanels(width: number): void {
    this.chosen = this.recall();
    const graph = this.model.get('graph');
    const n = ((graph && graph.get('nodes')) || []).length;
    const madeInPython = n > 0 || Object.keys(this.model.get('card_specs') || {}).length > 0;
    const inspectorFits = panelPlaces(width, { palette: false, inspector: true }).inspector === 'docked';
    this.open = {
      palette: this.chosen.palette ?? !(madeInPython && width < WIDE_EDITOR),
      inspector: this.chosen.inspector ?? inspectorFits
    };
    if (this.chosen.minimap) {
      this.minimap.setMode(this.chosen.minimap);
    }
  }

  /**
   * A network that could be shown readable whole but for the docked inspector
   * opens with the inspector folded (unless the user chose it); selecting a
   * card then shows it over the canvas (showInspectorOver), which stays put.
   */
  private makeRoomToRead(): void {
    const cy = this.canvas.cy;
    const width = (this.el as HTMLElement).clientWidth;
    if (!cy || this.chosen.inspector !== undefined || !this.open.inspector) {
      return;
    }
    if (panelPlaces(width, this.open as Record<Panel, boolean>).inspector !== 'docked') {
      return;
    }
    const bb = boxOf(this.layer.footprints());
    const opt = { minZoom: cy.minZoom(), insets: this.insets };
    const withIt = fitViewport(bb, cy.width(), cy.height(), opt).zoom;
    const without = fitViewport(bb, cy.width() + PANEL_WIDTH.inspector, cy.height(), opt).zoom;
    if (withIt < READABLE_ZOOM && without > withIt) {
      this.floatInspector = true;
      this.setPanelOpen('inspector', false);
    }
  }

  /**
   * The inspector folded by makeRoomToRead follows the selection: shown over
   * the canvas while cards are selected (nothing under the pointer moves; the
   * canvas pans the least when the one selected card would be hidden under
   * the panel), folded again when none is.
   */
  private inspectorFollowsSelection(): void {
    const cy = this.canvas.cy;
    if (!cy || !this.floatInspector) {
      return;
    }
    const selected = cy.nodes(':selected');
    if (selected.empty()) {
      if (this.open.inspector) {
        this.setPanelOpen('inspector', false);
      }
      return;
    }
    if (!this.open.inspector) {
      this.viewport.automatic = false; // no re-framing for the panel's inset
      this.setPanelOpen('inspector', true);
    }
    if (selected.length !== 1 || !this.insets.right) {
      return;
    }
    const free = cy.width() - this.insets.right;
    const box = selected.renderedBoundingBox();
    const margin = 12;
    const dx = Math.min(box.x2 + margin - free, box.x1 - margin);
    if (dx > 0) {
      cy.panBy({ x: -dx, y: 0 });
    }
  }

  private setPanelOpen(panel: Panel, open: boolean): void {
    this.open[panel] = open;
    const width = (this.el as HTMLElement).clientWidth;
    if (open && panelPlaces(width, this.open as Record<Panel, boolean>)[panel] === 'closed') {
      // no room for two panels over the canvas: the other one closes
      this.open[panel === 'palette' ? 'inspector' : 'palette'] = false;
    }
    this.layoutPanels();
  }

  /**
   * Place the panels for the editor's width (beside the canvas, over it, or
   * hidden), compact the toolbar when narrow, and frame the network again
   * while the view is automatic.
   */
  private layoutPanels(): void {
    const el = this.el as HTMLElement;
    const width = el.clientWidth;
    if (!width) {
      return; // not laid out yet (a hidden tab)
    }
    if (this.open.palette === null || this.open.inspector === null) {
      this.decidePanels(width);
    }
    const places = panelPlaces(width, this.open as Record<Panel, boolean>);
    if (this.floatInspector && places.inspector === 'docked' && places.palette !== 'overlay') {
      places.inspector = 'overlay'; // shown for a selection: over the canvas, which stays put
    }
    for (const p of ['palette', 'inspector'] as Panel[]) {
      el.classList.toggle(`nnc-${p}-collapsed`, places[p] === 'closed');
      el.classList.toggle(`nnc-${p}-overlay`, places[p] === 'overlay');
      this.open[p] = places[p] !== 'closed';
      this.toolbar.setToggle(p, this.open[p]!);
    }
    el.classList.toggle('nnc-compact', width < COMPACT_WIDTH);
    this.insets = {
      left: places.palette === 'overlay' ? Math.min(PANEL_WIDTH.palette, width) : 0,
      right: places.inspector === 'overlay' ? Math.min(PANEL_WIDTH.inspector, width) : 0,
      top: 0,
      bottom: 0
    };
    this.canvasWrap.style.setProperty('--nnc-inset-left', `${this.insets.left}px`);
    this.canvasWrap.style.setProperty('--nnc-inset-right', `${this.insets.right}px`);
    const cy = this.canvas.cy;
    if (cy) {
      cy.resize();
      if (this.viewport.automatic) {
        this.viewport.initial();
      }
      this.minimap.schedule();
    }
  }

  private initCanvas(): void {
    if (this.canvas.cy) {
      return;
    }
    const t0 = performance.now();
    this.timings.displayed = t0;
    const cy = this.canvas.create();
    // ipycytoscape's own code and tests find the core here
    (this as any).cytoscape_obj = cy;
    (this as any).is_rendered = true;
    (this.canvas.container as any).cy = cy;
    this.timings.core = performance.now();
    this.layoutPanels();
    this.followTheme();
    // one batch: cards are styled once, already in the far-out drawing of the first view
    cy.batch(() => {
      this.layer.sync();
      this.timings.synced = performance.now();
      this.viewport.initial();
    });
    cy.on('select unselect', () => this.inspector.schedule(() => this.updateButtons()));
    cy.on('select unselect', 'node', () => requestAnimationFrame(() => this.inspectorFollowsSelection()));
    cy.on('zoom', () => this.viewport.updateLevelOfDetail());
    cy.on('viewport select', () => this.previews.schedule());
    this.previews.schedule();
    cy.on('tap', 'node', ev => {
      // the "+ N more ports" row shows or folds the card's helper ports
      const e = this.layer.byUid.get(ev.target.id());
      if (!e) {
        return;
      }
      const c = e.node.position();
      const local = { x: ev.position.x - c.x + e.geom.width / 2, y: ev.position.y - c.y + e.geom.height / 2 };
      if (this.groups.tap(e.uid, local)) {
        return; // a nested model's toggle: expand or collapse its group
      }
      const row = rowAt(e.geom, local);
      if (row && row.kind === 'more') {
        this.layer.toggleExpanded(e.uid);
      }
    });
    cy.on('dbltap', ev => {
      if (ev.target === cy) {
        this.openQuickAdd(ev.position);
        return;
      }
      // inside an open group (a card, or a wire between them): read-only
      const note = this.groups.readOnlyNote(ev.target.id());
      if (note) {
        this.showStatus(note, 'info');
      } else if (ev.target.isNode && ev.target.isNode()) {
        this.editOnCard(ev.target.id(), ev.position);
      }
    });
    cy.on('mouseover', 'edge', ev => ev.target.addClass('nnc-hover'));
    cy.on('mouseout', 'edge', ev => ev.target.removeClass('nnc-hover'));
    this.moves.bind(cy);
    this.minimap.bind(cy);
    this.layer.watchPositions();
    this.groups.bind(cy);
    this.timings.ready = performance.now();
    this.firstRenderMs = performance.now() - t0;
    if (typeof ResizeObserver !== 'undefined') {
      // the editor or canvas got a new size: place the panels, and frame the
      // network again until the user pans or zooms
      this.resizeObserver = new ResizeObserver(() => {
        if (this.canvas.alive) {
          this.layoutPanels();
        }
      });
      this.resizeObserver.observe(this.el as HTMLElement);
      this.resizeObserver.observe(this.canvasWrap);
    }
  }

  /**
   * Follow JupyterLab's light or dark theme (body[data-jp-theme-light]): card
   * faces, wires and the canvas (its CSS reads JupyterLab's variables).
   */
  private followTheme(): void {
    const apply = (): void => {
      const dark = document.body.dataset.jpThemeLight === 'false';
      (this.el as HTMLElement).classList.toggle('nnc-dark', dark);
      const changed = faceTheme.dark !== dark;
      faceTheme.dark = dark;
      this.canvas.setTheme(dark);
      if (changed && this.layer.cards.size) {
        this.layer.redrawAll();
      }
    };
    apply();
    if (typeof MutationObserver !== 'undefined') {
      this.themeObserver = new MutationObserver(() => {
        if (this.canvas.alive && faceTheme.dark !== (document.body.dataset.jpThemeLight === 'false')) {
          apply();
        } else if (this.canvas.alive) {
          // another editor on the page switched the faces already: redraw ours
          const dark = faceTheme.dark;
          (this.el as HTMLElement).classList.toggle('nnc-dark', dark);
          this.canvas.setTheme(dark);
          this.layer.redrawAll();
        }
      });
      this.themeObserver.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-light'] });
    }
  }

  processLuminoMessage(msg: any): void {
    const base = (CytoscapeView.prototype as any).processLuminoMessage;
    if (base) {
      base.call(this, msg);
    }
    const cy = this.canvas && this.canvas.cy;
    if (cy && (msg.type === 'resize' || msg.type === 'after-show' || msg.type === 'after-attach')) {
      cy.resize();
    }
  }

  // ---------------------------------------------------------------- model -> view

  private onCatalogChange(redraw = true): void {
    const version: string = this.model.get('catalog_version') || '';
    if (!version) {
      this.setCatalog(this.model.get('catalog') || [], redraw); // an older kernel's trait
      return;
    }
    const fetch = this.model.comm_live
      ? () => this.client.call({ type: 'catalog' }).then(r => r.cards as CardSpec[])
      : null;
    this.addCardSpecs(); // the kinds on the canvas come with the editor: cards draw at once
    catalogFor(version, fetch).then(
      specs => this.setCatalog(specs || [], redraw),
      e => this.showError(`The card catalogue could not be loaded: ${e.message}`)
    );
  }

  /** The package's card catalogue (empty until it arrived): the same for every kernel. */
  private catalogList: CardSpec[] = [];
  private catalogIds = new Set<string>();
  /** The kernel-made kinds the palette lists after the catalogue (null: not listed yet). */
  private paletteMade: string | null = null;

  /**
   * Specs of the card kinds on the canvas, synced with the editor (`card_specs`).
   * Kinds made in the kernel (custom layers, nested models) reach the view only
   * this way (the catalogue's version does not change when one is made), so the
   * palette lists them after the catalogue's cards.
   */
  private addCardSpecs(): void {
    const made: CardSpec[] = [];
    for (const s of Object.values<CardSpec>(this.model.get('card_specs') || {})) {
      this.specs.set(s.id, s);
      if (!this.catalogIds.has(s.id)) {
        made.push(s);
      }
    }
    const listed = JSON.stringify(made);
    if (this.catalogList.length && listed !== this.paletteMade) {
      this.paletteMade = listed;
      this.palette.setCatalog(made.length ? this.catalogList.concat(made) : this.catalogList);
    }
  }

  private setCatalog(list: CardSpec[], redraw: boolean): void {
    this.specs.clear();
    for (const s of list) {
      this.specs.set(s.id, s);
    }
    this.catalogList = list;
    this.catalogIds = new Set(list.map(s => s.id));
    this.paletteMade = null;
    if (!list.length) {
      this.palette.setCatalog(list); // "loading": no catalogue yet
    }
    this.addCardSpecs(); // the palette: the catalogue, then the kinds made in the kernel
    if (redraw && this.canvas.cy) {
      this.layer.redrawAll();
    } else if (this.canvas.cy) {
      this.groups.update(); // open groups draw their inner cards with the catalogue's specs
    }
  }

  private onElementsChanged(): void {
    const { layer, viewport } = this;
    this.statusBar.setCounts(layer.cards.size, layer.wires.size);
    this.groups.update();
    const added = Array.from(layer.byUid.keys()).filter(uid => !this.knownUids.has(uid));
    const network = this.knownUids.size === 0 && added.length > 1; // a whole network arrived
    added.forEach(uid => this.knownUids.add(uid)); // a card drawn again is not new
    if (layer.cards.size && !viewport.framed && (viewport.automatic || network)) {
      // the first cards (a network made in Python, a restored one): show them whole
      this.makeRoomToRead();
      viewport.initial();
    } else if (added.length) {
      // later ones (or a first card added by hand): the cards on screen stay where they are
      // (from now on, whatever the panels or the size do); the new ones are panned in
      viewport.automatic = false;
      viewport.showBox(
        boxOf(
          added
            .map(uid => layer.byUid.get(uid)!)
            .map(e => ({ center: e.node.position(), width: e.geom.width, height: e.geom.height }))
        )
      );
    }
    this.minimap.graphChanged();
    this.emptyEl.style.display = layer.cards.size ? 'none' : '';
    const shown = Array.from(this.pendingSelect).filter(uid => layer.byUid.has(uid));
    if (shown.length) {
      shown.forEach(uid => this.pendingSelect.delete(uid));
      this.canvas.cy!.elements().unselect();
      shown.forEach(uid => this.select(uid, true));
    }
    this.inspector.render();
  }

  private select(uid: string, add = false): void {
    const e = this.layer.byUid.get(uid)!;
    if (!add) {
      this.canvas.cy!.elements().unselect();
    }
    e.node.select();
    this.viewport.ensureVisible(e.node);
  }

  private selectWhenShown(uid: string): void {
    if (this.layer.byUid.has(uid)) {
      this.select(uid, this.pendingSelect.size > 0);
    } else {
      this.pendingSelect.add(uid);
    }
  }

  private updateButtons(): void {
    if (!this.toolbar) {
      return;
    }
    this.toolbar.setHistory(historyButtons(undoStateOf(this.model)));
    const cy = this.canvas.cy;
    this.toolbar.setCanDelete(!!cy && cy.$(':selected').length > 0);
  }

  // ---------------------------------------------------------------- pointer and keys

  private onCanvasMouseDown(ev: MouseEvent): void {
    if (!this.canvas.cy || ev.button !== 0 || this.minimap.el.contains(ev.target as Node)) {
      return;
    }
    // cytoscape blurs the focused element on mousedown; take the focus back
    // afterwards so Delete and Ctrl+Z reach the editor.
    setTimeout(() => (this.el as HTMLElement).focus({ preventScroll: true }), 0);
    this.wireDrag.onMouseDown(ev);
  }

  private onCanvasHover(ev: MouseEvent): void {
    if (!this.canvas.cy || this.wireDrag.active || ev.buttons || this.rafHover) {
      return;
    }
    const x = ev.clientX;
    const y = ev.clientY;
    this.rafHover = requestAnimationFrame(() => {
      this.rafHover = 0;
      if (!this.canvas.alive) {
        return;
      }
      const hover = hoverText(this.layer, this.canvas.modelPoint(x, y), this.wireDrag.hitRadius());
      this.canvasWrap.classList.toggle('nnc-over-port', !!hover && hover.port);
      if (hover) {
        this.tooltip.show(x, y, hover.text, hover.help, hover.error);
      } else {
        this.tooltip.hide();
      }
    });
  }

  /**
   * Runs first for every key press on the page (window, capture phase): for a
   * key pressed inside this editor, JupyterLab / Notebook 7 see it only when it
   * is one of Jupyter's keys; their shortcut handlers (bubbling in JupyterLab,
   * capturing in Notebook 7) skip elements marked to suppress shortcuts.
   */
  private gateKeys = (e: KeyboardEvent): void => {
    const el = this.el as HTMLElement;
    if (e.target instanceof Node && el.contains(e.target)) {
      this.setShortcutsSuppressed(!isJupyterKey(e));
    }
  };

  private setShortcutsSuppressed(on: boolean): void {
    const el = this.el as HTMLElement;
    for (const attr of ['data-lm-suppress-shortcuts', 'data-p-suppress-shortcuts']) {
      if (on) {
        el.setAttribute(attr, 'true');
      } else {
        el.removeAttribute(attr);
      }
    }
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (isJupyterKey(e)) {
      // Jupyter's keys (save, run the cell, command mode) go on to JupyterLab / Notebook 7
      if (e.key === 'Escape') {
        this.picker.close();
        this.menu.close();
        if (!isTextTarget(e.target)) {
          this.canvas.cy?.elements().unselect();
        }
      }
      return;
    }
    if (isTextTarget(e.target)) {
      // Keys typed in fields belong to the field; keep JupyterLab from acting on them.
      e.stopPropagation();
      return;
    }
    const action = keyAction(e);
    const cy = this.canvas.cy;
    const step = e.shiftKey ? 50 : 10;
    switch (action) {
      case 'delete':
        this.actions.deleteSelected();
        break;
      case 'undo':
        this.actions.undo();
        break;
      case 'redo':
        this.actions.redo();
        break;
      case 'selectAll':
        cy?.elements().select();
        break;
      case 'unselect':
        cy?.elements().unselect();
        break;
      case 'copy':
        this.actions.copy();
        break;
      case 'paste':
        this.actions.paste(this.pointerModelPoint());
        break;
      case 'duplicate':
        this.actions.duplicate();
        break;
      case 'find':
        this.openFind();
        break;
      case 'quickAdd':
        this.openQuickAdd(this.pointerModelPoint());
        break;
      case 'left':
        this.actions.nudge(-step, 0);
        break;
      case 'right':
        this.actions.nudge(step, 0);
        break;
      case 'up':
        this.actions.nudge(0, -step);
        break;
      case 'down':
        this.actions.nudge(0, step);
        break;
    }
    if (action) {
      e.preventDefault();
    }
    e.stopPropagation();
  }

  /** The pointer's model position when it is over the canvas, else null. */
  private pointerModelPoint(): Point | null {
    if (!this.pointer || !this.canvas.cy) {
      return null;
    }
    const r = this.canvasWrap.getBoundingClientRect();
    const { x, y } = this.pointer;
    if (x < r.left || x > r.right || y < r.top || y > r.bottom) {
      return null;
    }
    return this.canvas.modelPoint(x, y);
  }

  /** Where a model point is inside the canvas wrapper (for floating panels). */
  private wrapPoint(p: Point | null): Point {
    if (!p || !this.canvas.cy) {
      return { x: 60, y: 40 };
    }
    const c = this.canvas.clientPoint(p);
    const r = this.canvasWrap.getBoundingClientRect();
    return { x: c.x - r.left, y: c.y - r.top };
  }

  private refocus(): void {
    (this.el as HTMLElement).focus({ preventScroll: true });
  }

  /**
   * Double-click on a parameter row of a card: edit its value in place, with
   * the inspector's field (same parsing, checks and messages).
   */
  editOnCard(uid: string, p: Point): void {
    const e = this.layer.byUid.get(uid);
    if (!e || !e.spec) {
      return;
    }
    const c = e.node.position();
    const left = c.x - e.geom.width / 2;
    const top = c.y - e.geom.height / 2;
    const row = rowAt(e.geom, { x: p.x - left, y: p.y - top });
    if (!row || row.kind !== 'param' || !row.input) {
      return;
    }
    const inp = row.input;
    const model = e.model;
    const field = paramField(uid, inp, {
      current: i => (i.name === 'name' ? model.get('name') : model.get(i.name)),
      commit: (i, value, done) =>
        this.actions.setParam(uid, i, value).then(error => {
          done(error);
          if (!error) {
            this.valueEditor.accepted();
          }
        })
    });
    const at = this.wrapPoint({ x: left, y: top + row.y - 14 });
    const z = this.canvas.cy!.zoom();
    this.picker.close();
    this.menu.close();
    this.valueEditor.open(this.canvasWrap, at, e.geom.width * z, field, () => this.refocus());
  }

  /** The network as an SVG document (cards' faces and the wires as drawn). */
  pictureSvg(): string {
    const cards = Array.from(this.layer.cards.values()).map(e => {
      const c = e.node.position();
      return {
        x: c.x - e.geom.width / 2,
        y: c.y - e.geom.height / 2,
        width: e.geom.width,
        height: e.geom.height,
        svg: e.svg
      };
    });
    const inner = this.groups.pictureParts();
    cards.push(...inner.cards);
    const edges = Array.from(this.layer.wires.values())
      .filter(w => w.edge && !w.edge.removed())
      .map(w => w.edge!);
    // far out, wires are drawn straight (lod.ts): the picture has their curves
    const wires = withCurves([...edges, ...inner.edges], () =>
      [...edges, ...inner.edges].map(edge => {
        return {
          start: edge.sourceEndpoint(),
          end: edge.targetEndpoint(),
          controls: (edge.controlPoints() as Point[] | undefined) || [],
          color: String(edge.data('color'))
        };
      })
    );
    return networkSvg(cards, wires, faceTheme.dark ? '#1b1f27' : '#ffffff');
  }

  private openExportMenu(btn: HTMLElement): void {
    const r = this.canvasWrap.getBoundingClientRect();
    const b = btn.getBoundingClientRect();
    const name = 'network';
    this.menu.open(this.canvasWrap, { x: b.left - r.left, y: 4 }, [
      {
        label: 'Save as PNG',
        action: () => {
          const svg = this.pictureSvg();
          const m = /width="(\d+)" height="(\d+)"/.exec(svg);
          svgToPng(svg, Number(m![1]), Number(m![2])).then(
            blob => download(`${name}.png`, blob),
            err => this.showError(err.message)
          );
        }
      },
      {
        label: 'Save as SVG',
        action: () => download(`${name}.svg`, new Blob([this.pictureSvg()], { type: 'image/svg+xml' }))
      }
    ]);
  }

  /** Quick add: a card search at a model point; the chosen card is added there. */
  openQuickAdd(at: Point | null): void {
    this.menu.close();
    const list = Array.from(this.specs.values());
    const place = at || undefined;
    this.picker.open(
      this.canvasWrap,
      this.wrapPoint(at),
      'Add a card…',
      q => searchCatalog(list, q).map(c => ({ value: c.id, label: c.title, detail: c.keras_class || '' })),
      id => {
        this.refocus();
        this.actions.addCard(id, place);
      },
      () => this.refocus()
    );
  }

  /** Find: a search over the cards on the canvas by name or kind; the chosen one is centred. */
  openFind(): void {
    this.menu.close();
    const cards = Array.from(this.layer.cards.values()).map(e => ({
      uid: e.uid,
      name: String(e.model.get('name') || ''),
      title: e.spec?.title || String(e.model.get('card_id')),
      keras_class: e.spec?.keras_class
    }));
    this.picker.open(
      this.canvasWrap,
      { x: 12, y: 8 },
      'Find a card by name or kind…',
      q => findCards(cards, q).map(c => ({ value: c.uid, label: c.name, detail: c.title })),
      uid => {
        this.refocus();
        this.centreOn(uid);
      },
      () => this.refocus()
    );
  }

  /** Select a card and centre it, zoomed in far enough to read it. */
  centreOn(uid: string): void {
    const e = this.layer.byUid.get(uid);
    const cy = this.canvas.cy;
    if (!e || !cy) {
      return;
    }
    this.viewport.automatic = false;
    cy.elements().unselect();
    e.node.select();
    this.viewport.centre(e.node.position(), FOCUS_ZOOM);
    this.statusBar.show(`Found '${e.model.get('name')}'.`, 'ok');
  }

  /** A wire dropped on empty canvas: offer the cards it can connect to; add and wire the chosen one. */
  private offerCardsForWire(drag: DragStart, at: Point): void {
    const options = cardsForWire(Array.from(this.specs.values()), drag.type, drag.side);
    const ports = new Map(options.map(o => [o.spec.id, o.port]));
    const specs = options.map(o => o.spec);
    this.picker.open(
      this.canvasWrap,
      this.wrapPoint(at),
      'Connect a new card…',
      q => searchCatalog(specs, q).map(c => ({ value: c.id, label: c.title, detail: c.keras_class || '' })),
      id => {
        this.refocus();
        this.actions.addConnected(id, at, drag, ports.get(id)!);
      },
      () => this.refocus()
    );
  }

  private onWheel(e: WheelEvent): void {
    this.viewport.automatic = false;
    const cy = this.canvas.cy;
    if (!cy) {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    const r = this.canvas.container.getBoundingClientRect();
    this.viewport.zoomBy(wheelFactor(e.deltaY, e.deltaMode), { x: e.clientX - r.left, y: e.clientY - r.top });
  }

  private onContextMenu(e: MouseEvent): void {
    // our menu, not the notebook's
    e.preventDefault();
    e.stopPropagation();
    const cy = this.canvas.cy;
    if (!cy) {
      return;
    }
    this.picker.close();
    const p = this.canvas.modelPoint(e.clientX, e.clientY);
    const at = this.layer.cardAt(p);
    const r = this.canvasWrap.getBoundingClientRect();
    const where = { x: e.clientX - r.left, y: e.clientY - r.top };
    let items: MenuItem[];
    if (at) {
      if (!at.e.node.selected()) {
        cy.elements().unselect();
        at.e.node.select();
      }
      items = [
        { label: 'Duplicate', hint: 'Ctrl+D', action: () => this.actions.duplicate() },
        { label: 'Copy', hint: 'Ctrl+C', action: () => this.actions.copy() },
        { label: 'Delete', hint: 'Del', action: () => this.actions.deleteSelected() }
      ];
      if (isNestedSpec(at.e.spec)) {
        const uid = at.e.uid;
        const label = this.groups.isExpanded(uid) ? 'Collapse the group' : 'Expand the group';
        items.unshift({ label, action: () => this.groups.toggle(uid) });
      }
    } else {
      items = [
        { label: 'Add a card here…', hint: 'Tab', action: () => this.openQuickAdd(p) },
        { label: 'Paste here', hint: 'Ctrl+V', action: () => this.actions.paste(p) },
        { label: 'Find a card…', hint: 'Ctrl+F', action: () => this.openFind() },
        { label: 'Fit the network', action: () => this.viewport.fit() },
        { label: 'Lay out', action: () => this.actions.layout() },
        { label: 'Select all', hint: 'Ctrl+A', action: () => cy.elements().select() }
      ];
    }
    this.menu.open(this.canvasWrap, where, items);
  }

  // ---------------------------------------------------------------- messages

  showStatus(msg: string, kind: StatusKind = 'info'): void {
    this.statusBar.show(msg, kind);
    if (kind === 'ok') {
      // a success after an error: the error's message is no longer news
      this.toast.hide();
    }
  }

  showError(msg: string): void {
    if (this.statusBar.condition !== null) {
      return; // the kernel is gone: the banner and the status line say so already
    }
    this.statusBar.show(msg, 'error');
    this.toast.show(msg);
  }
}
