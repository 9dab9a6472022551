/**
 * Read-only hooks for the end-to-end tests (tests/e2e) and the render
 * benchmark (benchmarks/render.py), kept out of the production classes.
 * Every displayed editor view registers one `ViewTesting` object in
 * `window.__nncardsTesting.views`; tests read positions from it to know where
 * to press the mouse, and change things only through real mouse and keys.
 */

import type cytoscape from 'cytoscape';

import { CanvasAdapter } from './canvas';
import { CardLayer } from './cardlayer';
import { hasPreview, previewLines } from './format';
import { placementHeight } from './geometry';
import { CardSpec, Point } from './types';
import { Minimap } from './minimap';
import { Viewport } from './viewport';
import { Side } from './wiring';

/** What the hooks read from a view. */
export interface TestedView {
  readonly el: unknown;
  readonly model: any;
  readonly canvas: CanvasAdapter;
  readonly layer: CardLayer;
  readonly viewport: Viewport;
  readonly minimap: Minimap;
  readonly timings: Record<string, number>;
  readonly firstRenderMs: number | null;
  readonly specs: Map<string, CardSpec>;
}

export interface CardInfo {
  uid: string;
  name: string;
  card_id: string;
  /** Page coordinates of the card's centre, and its size on screen. */
  center: Point;
  width: number;
  height: number;
  preview: { caption: string; stats: string; image: boolean; top: number } | null;
  /** The card's preview is pending: the kernel has not made it yet (previews.ts). */
  previewPending: boolean;
  stale: boolean;
  error: string;
}

export interface CardBox {
  x: number;
  y: number;
  width: number;
  height: number;
  inputs: Record<string, Point>;
  outputs: Record<string, Point>;
}

export class ViewTesting {
  constructor(private view: TestedView) {}

  /** The cytoscape core (null until the canvas is created). */
  get cy(): cytoscape.Core | null {
    return this.view.canvas.cy;
  }

  get model(): any {
    return this.view.model;
  }

  /** The editor's root element (toolbar, palette, canvas, inspector, status bar). */
  get el(): HTMLElement {
    return this.view.el as HTMLElement;
  }

  /** performance.now() marks of the view's life (render, displayed, synced, ready, face changes). */
  get timings(): Record<string, number> {
    return this.view.timings;
  }

  /** Number of catalogue cards the view knows (0 until the catalogue arrived). */
  get catalogSize(): number {
    return this.view.specs.size;
  }

  get firstRenderMs(): number | null {
    return this.view.firstRenderMs;
  }

  /** Every card on the canvas, where it is on the page and what its face shows. */
  cardsInfo(): CardInfo[] {
    const { canvas, layer } = this.view;
    const z = canvas.cy!.zoom();
    return Array.from(layer.cards.values()).map(e => {
      const pv = e.model.get('preview');
      const lines = hasPreview(pv) ? previewLines(pv) : null;
      return {
        uid: e.uid,
        name: e.model.get('name'),
        card_id: e.model.get('card_id'),
        center: canvas.clientPoint(e.node.position()),
        width: e.geom.width * z,
        height: e.geom.height * z,
        // a made preview (a pending one shows its shape only until the kernel makes it)
        preview:
          lines && e.geom.previewY !== null && !pv.pending
            ? { ...lines, image: !!pv.image, top: e.geom.previewY * z }
            : null,
        previewPending: !!(pv && pv.pending),
        stale: e.node.hasClass('nnc-stale'),
        error: e.model.get('error') || ''
      };
    });
  }

  /**
   * Every card's box (top-left corner and size) and port dots, in model pixels
   * (the coordinates of the kernel's picture, nncards_widget/picture.py), by uid.
   */
  cardBoxes(): Record<string, CardBox> {
    const out: Record<string, CardBox> = {};
    for (const e of this.view.layer.cards.values()) {
      const c = e.node.position();
      const x = c.x - e.geom.width / 2;
      const y = c.y - e.geom.height / 2;
      const at = (ports: Record<string, Point>): Record<string, Point> =>
        Object.fromEntries(Object.entries(ports).map(([k, p]) => [k, { x: x + p.x, y: y + p.y }]));
      out[e.uid] = {
        x,
        y,
        width: e.geom.width,
        height: e.geom.height,
        inputs: at(e.geom.inputPorts),
        outputs: at(e.geom.outputPorts)
      };
    }
    return out;
  }

  /** The SVG markup of a card's face as shown on the canvas. */
  faceSvg(uid: string): string | null {
    const e = this.view.layer.byUid.get(uid);
    return e ? e.svg : null;
  }

  /** Page coordinates of a port's dot. */
  portClientPoint(uid: string, side: Side, name: string): Point | null {
    const p = this.view.layer.portPoint(uid, side, name);
    return p ? this.view.canvas.clientPoint(p) : null;
  }

  /** Fit the network to the view, as the toolbar's Fit button does. */
  fitView(): void {
    this.view.viewport.fit();
  }

  /** The minimap's view rectangle in page coordinates, or null while it is hidden. */
  minimapRect(): { x: number; y: number; width: number; height: number } | null {
    const r = this.view.minimap.viewRect();
    if (!r) {
      return null;
    }
    const c = this.view.minimap.el.querySelector('canvas')!.getBoundingClientRect();
    return { x: c.left + r.x1, y: c.top + r.y1, width: r.w, height: r.h };
  }

  /** The height the view reserves for each catalogue card when placing it (by card id). */
  placementHeights(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, spec] of this.view.specs) {
      out[id] = placementHeight(spec);
    }
    return out;
  }

  /** Uids of the cards at least partly inside the visible extent. */
  shownCards(): string[] {
    const cy = this.view.canvas.cy!;
    const ext = cy.extent();
    return cy
      .nodes()
      .filter(n => {
        const bb = n.boundingBox({});
        return !(bb.x2 < ext.x1 || bb.x1 > ext.x2 || bb.y2 < ext.y1 || bb.y1 > ext.y2);
      })
      .map(n => n.id());
  }

  /** How many card faces were decoded because cytoscape drew them (far-out boxes decode none). */
  facesDrawn(): number {
    return this.view.canvas.faces!.made;
  }

  /** True when the card's face is decoded and can be painted (far out no face is needed). */
  faceReady(uid: string): boolean {
    const e = this.view.layer.byUid.get(uid);
    if (!e) {
      return false;
    }
    if (e.node.hasClass('nnc-far')) {
      return true;
    }
    return this.view.canvas.faces!.decoded(e.face);
  }
}

interface TestingRegistry {
  views: ViewTesting[];
}

declare global {
  interface Window {
    __nncardsTesting?: TestingRegistry;
  }
}

function registry(): TestingRegistry {
  return (window.__nncardsTesting = window.__nncardsTesting || { views: [] });
}

/** Make a view reachable by the tests; returns a function that removes it. */
export function registerForTesting(view: TestedView): () => void {
  const hooks = new ViewTesting(view);
  registry().views.push(hooks);
  return () => {
    const views = registry().views;
    const i = views.indexOf(hooks);
    if (i >= 0) {
      views.splice(i, 1);
    }
  };
}
