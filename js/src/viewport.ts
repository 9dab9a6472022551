/**
 * The viewport: framing the network (fit), zoom buttons, bringing a card into
 * view and the level of detail (plain boxes when zoomed far out). The framing
 * arithmetic is pure (fitViewport, panToShow) and unit-tested.
 */

import type cytoscape from 'cytoscape';

import { Point } from './types';

/** Below this zoom cards are drawn as plain titled boxes instead of their faces. */
export const FAR_ZOOM = 0.4;
/** Padding around the network when it is framed, in screen pixels. */
const FIT_PAD = 32;
/** Zoom kept when the network does not fit, so that card text stays readable. */
const READABLE_ZOOM = 0.85;

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  w: number;
  h: number;
}

/** A card's centre and size, for framing. */
export interface Footprint {
  center: Point;
  width: number;
  height: number;
}

/** Bounding box of cards from their centres and sizes (cheaper than cytoscape's). */
export function boxOf(cards: Iterable<Footprint>): Box {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (const c of cards) {
    x1 = Math.min(x1, c.center.x - c.width / 2);
    x2 = Math.max(x2, c.center.x + c.width / 2);
    y1 = Math.min(y1, c.center.y - c.height / 2);
    y2 = Math.max(y2, c.center.y + c.height / 2);
  }
  if (x1 === Infinity) {
    return { x1: 0, y1: 0, x2: 0, y2: 0, w: 0, h: 0 };
  }
  return { x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 };
}

export interface FitOptions {
  /** Show everything (down to minZoom) instead of keeping text readable. */
  all: boolean;
  minZoom: number;
  /** Mean y of the Input cards, where a network too tall to show starts (null: none). */
  inputsY: number | null;
}

/**
 * Zoom and pan that frame `bb` in a `width` x `height` canvas, never zooming in
 * past 100%. Unless `all`, keep text readable: a network too wide starts at
 * its left edge, one too tall is centred on its Input cards without showing
 * empty space beyond its top or bottom.
 */
export function fitViewport(bb: Box, width: number, height: number, opt: FitOptions): { zoom: number; pan: Point } {
  const pad = FIT_PAD;
  let z = Math.min((width - 2 * pad) / Math.max(bb.w, 1), (height - 2 * pad) / Math.max(bb.h, 1));
  z = Math.min(z, 1);
  if (!opt.all) {
    z = Math.max(z, READABLE_ZOOM);
  }
  z = Math.max(z, opt.minZoom);
  const fitsX = bb.w * z <= width - 2 * pad;
  const fitsY = bb.h * z <= height - 2 * pad;
  let y = (height - bb.h * z) / 2 - bb.y1 * z;
  if (!fitsY) {
    const cy0 = opt.inputsY ?? bb.y1;
    y = height / 2 - cy0 * z;
    y = Math.min(y, pad - bb.y1 * z);
    y = Math.max(y, height - pad - bb.y2 * z);
  }
  const x = fitsX ? (width - bb.w * z) / 2 - bb.x1 * z : pad - bb.x1 * z;
  return { zoom: z, pan: { x, y } };
}

/**
 * The smallest shift of the visible extent (model units) that brings box `bb`
 * into it with `margin` to spare; {0, 0} when it is visible already.
 */
export function panToShow(extent: Box, bb: Box, margin: number): Point {
  let dx = 0;
  let dy = 0;
  if (bb.x2 + margin > extent.x2) {
    dx = extent.x2 - (bb.x2 + margin);
  }
  if (bb.x1 - margin + dx < extent.x1) {
    dx = extent.x1 - (bb.x1 - margin);
  }
  if (bb.y2 + margin > extent.y2) {
    dy = extent.y2 - (bb.y2 + margin);
  }
  if (bb.y1 - margin + dy < extent.y1) {
    dy = extent.y1 - (bb.y1 - margin);
  }
  return { x: dx, y: dy };
}

/** What the viewport needs from the editor: the core and the cards on it. */
export interface ViewportHost {
  readonly cy: cytoscape.Core | null;
  footprints(): Footprint[];
  /** Mean y of the Input cards, or null when there are none. */
  inputsY(): number | null;
}

export class Viewport {
  /** True until the user pans, zooms or clicks: the view keeps framing the network. */
  automatic = true;
  /** Cards are drawn far (plain boxes) at the current zoom. */
  far = false;

  constructor(private host: ViewportHost) {}

  /** Frame the network as it first shows (empty: 100% with a margin). */
  initial(): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    if (!cy.nodes().length) {
      cy.zoom(1);
      cy.pan({ x: 40, y: 40 });
      return;
    }
    this.fit(false);
    this.updateLevelOfDetail();
  }

  /** Fit the network in the view (see fitViewport). */
  fit(all: boolean): void {
    const cy = this.host.cy;
    if (!cy || !cy.nodes().length) {
      return;
    }
    cy.resize();
    const v = fitViewport(boxOf(this.host.footprints()), cy.width(), cy.height(), {
      all,
      minZoom: cy.minZoom(),
      inputsY: this.host.inputsY()
    });
    cy.zoom(v.zoom);
    cy.pan(v.pan);
  }

  zoomBy(factor: number): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const z = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * factor));
    cy.zoom({ level: z, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
  }

  /** Pan as little as needed to show a node whole. */
  ensureVisible(node: cytoscape.NodeSingular): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const d = panToShow(cy.extent() as Box, node.boundingBox({}) as Box, 24 / cy.zoom());
    if (d.x || d.y) {
      const z = cy.zoom();
      cy.panBy({ x: d.x * z, y: d.y * z });
    }
  }

  /** Far out, faces are unreadable: draw plain titled cards (and spare decoding the faces). */
  updateLevelOfDetail(): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const far = cy.zoom() < FAR_ZOOM;
    if (far !== this.far) {
      this.far = far;
      cy.batch(() => {
        cy.nodes().toggleClass('nnc-far', far);
      });
    }
  }
}
