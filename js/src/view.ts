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
 *   actions.ts     requests for the user's gestures (add, delete, move, undo, ...)
 *   paletteview.ts, inspector.ts (+ fields.ts), chrome.ts (toolbar, status bar)
 *   testing.ts     read-only hooks for the browser tests and benchmarks
 */

import { CytoscapeView } from 'jupyter-cytoscape';

import { Actions, MoveTracker } from './actions';
import { CanvasAdapter } from './canvas';
import { CardLayer } from './cardlayer';
import { StatusBar, StatusKind, Toast, Toolbar, Tooltip } from './chrome';
import { h, isTextTarget } from './dom';
import { historyButtons, UNDO_TRAITS, undoStateOf } from './history';
import { Inspector } from './inspector';
import { keyAction } from './keys';
import { trainingPanel } from './monitor';
import { DRAG_MIME, PaletteView } from './paletteview';
import { catalogFor } from './catalogcache';
import { watchPersistence } from './persistence';
import { RequestClient } from './requests';
import { registerForTesting } from './testing';
import { CardSpec } from './types';
import { Viewport } from './viewport';
import { hoverText, WireDragger } from './wiredrag';

/** Below this width a network made in Python opens with the palette hidden. */
const WIDE_EDITOR = 1400;

export class NetworkEditorView extends CytoscapeView {
  client!: RequestClient;
  readonly specs = new Map<string, CardSpec>();
  canvas!: CanvasAdapter;
  layer!: CardLayer;
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
  private canvasWrap!: HTMLElement;
  private overlayEl!: SVGSVGElement;
  private emptyEl!: HTMLElement;
  private paletteOpen = true;
  private pendingSelect: string | null = null;
  private resizeObserver: ResizeObserver | null = null;
  private rafHover = 0;
  private unregister: (() => void) | null = null;

  // ---------------------------------------------------------------- set-up

  render(): void {
    this.timings.render = performance.now();
    const el = this.el as HTMLElement;
    el.classList.add('nnc-editor');
    el.setAttribute('data-testid', 'nncards-editor');
    el.setAttribute('tabindex', '0');
    el.setAttribute('data-lm-suppress-shortcuts', 'true');
    el.setAttribute('data-p-suppress-shortcuts', 'true');

    this.client = new RequestClient(msg => this.model.send(msg, {}), 60000);
    this.buildParts();
    this.buildDom();
    this.unregister = registerForTesting(this);
    this.once(
      'remove',
      watchPersistence({ el, model: this.model, wrap: this.canvasWrap, request: r => this.client.request(r) })
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
    const status = (msg: string, kind: StatusKind = 'info'): void => this.statusBar.show(msg, kind);
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
      inputsY: () => this.layer.inputsY()
    });
    this.layer = new CardLayer({
      model: this.model,
      specs: this.specs,
      canvas: this.canvas,
      timings: this.timings,
      isFar: () => this.viewport.far,
      isDragging: uid => this.moves.dragging(uid),
      elementsChanged: () => this.onElementsChanged(),
      cardChanged: uid => this.inspector.cardChanged(uid),
      wireChanged: () => this.inspector.schedule(() => this.updateButtons())
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
      togglePalette: () => {
        this.setPaletteOpen(!this.paletteOpen);
        if (this.paletteOpen) {
          this.palette.searchEl.focus({ preventScroll: true });
        }
      },
      undo: () => this.actions.undo(),
      redo: () => this.actions.redo(),
      deleteSelected: () => this.actions.deleteSelected(),
      layout: () => this.actions.layout(),
      fit: () => this.viewport.fit(true),
      zoomBy: f => this.viewport.zoomBy(f),
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
      this.toast.el
    );
    this.wireDrag = new WireDragger({
      canvas: this.canvas,
      layer: this.layer,
      overlay: this.overlayEl,
      wrap: this.canvasWrap,
      request: req => this.client.request(req),
      status: (msg, kind) => this.statusBar.show(msg, kind),
      error: msg => this.showError(msg),
      hideTooltip: () => this.tooltip.hide()
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
    wrap.addEventListener('wheel', () => (this.viewport.automatic = false), { capture: true, passive: true });
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
    if (this.resizeObserver) {
      this.resizeObserver.disconnect();
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

  /** Show or hide the card palette (hidden, the canvas gets its width). */
  setPaletteOpen(open: boolean): void {
    this.paletteOpen = open;
    (this.el as HTMLElement).classList.toggle('nnc-palette-collapsed', !open);
    this.toolbar.setPaletteOpen(open);
    if (this.canvas.cy) {
      this.canvas.cy.resize();
      if (this.viewport.automatic) {
        this.viewport.initial();
      }
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
    const graph = this.model.get('graph');
    const n = ((graph && graph.get('nodes')) || []).length;
    if (n > 1 && (this.el as HTMLElement).clientWidth < WIDE_EDITOR) {
      // A network made in Python: give the canvas the width (the palette is one click away).
      this.setPaletteOpen(false);
    }
    this.layer.sync();
    this.timings.synced = performance.now();
    this.viewport.initial();
    cy.on('select unselect', () => this.inspector.schedule(() => this.updateButtons()));
    cy.on('zoom', () => this.viewport.updateLevelOfDetail());
    cy.on('mouseover', 'edge', ev => ev.target.addClass('nnc-hover'));
    cy.on('mouseout', 'edge', ev => ev.target.removeClass('nnc-hover'));
    this.moves.bind(cy);
    this.layer.watchPositions();
    this.timings.ready = performance.now();
    this.firstRenderMs = performance.now() - t0;
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => {
        if (this.canvas.alive) {
          this.canvas.cy!.resize();
          if (this.viewport.automatic) {
            // the canvas got its final size: frame the network again until the user pans or zooms
            this.viewport.initial();
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

  /** Specs of the card kinds on the canvas, synced with the editor (`card_specs`). */
  private addCardSpecs(): void {
    for (const s of Object.values<CardSpec>(this.model.get('card_specs') || {})) {
      this.specs.set(s.id, s);
    }
  }

  private setCatalog(list: CardSpec[], redraw: boolean): void {
    this.specs.clear();
    for (const s of list) {
      this.specs.set(s.id, s);
    }
    this.addCardSpecs();
    this.palette.setCatalog(list);
    if (redraw && this.canvas.cy) {
      this.layer.redrawAll();
    }
  }

  private onElementsChanged(): void {
    const { layer, viewport } = this;
    this.statusBar.setCounts(layer.cards.size, layer.wires.size);
    if (viewport.automatic && layer.cards.size) {
      // cards may arrive after the canvas was made: frame them until the user takes over
      viewport.initial();
    }
    this.emptyEl.style.display = layer.cards.size ? 'none' : '';
    const uid = this.pendingSelect;
    if (uid && layer.byUid.has(uid)) {
      this.pendingSelect = null;
      this.select(uid);
    }
    this.inspector.render();
  }

  private select(uid: string): void {
    const e = this.layer.byUid.get(uid)!;
    this.canvas.cy!.elements().unselect();
    e.node.select();
    this.viewport.ensureVisible(e.node);
  }

  private selectWhenShown(uid: string): void {
    if (this.layer.byUid.has(uid)) {
      this.select(uid);
    } else {
      this.pendingSelect = uid;
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
    if (!this.canvas.cy || ev.button !== 0) {
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

  private onKeyDown(e: KeyboardEvent): void {
    if (isTextTarget(e.target)) {
      // Keys typed in fields belong to the field; keep JupyterLab from acting on them.
      e.stopPropagation();
      return;
    }
    const action = keyAction(e);
    const cy = this.canvas.cy;
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
    }
    if (action) {
      e.preventDefault();
    }
    e.stopPropagation();
  }

  // ---------------------------------------------------------------- messages

  showStatus(msg: string, kind: StatusKind = 'info'): void {
    this.statusBar.show(msg, kind);
  }

  showError(msg: string): void {
    this.statusBar.show(msg, 'error');
    this.toast.show(msg);
  }
}
