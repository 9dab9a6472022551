/**
 * The viewport: framing the network (fit), zoom steps, bringing cards into
 * view without moving the others, and the level of detail (plain boxes when
 * zoomed far out). Overlay panels (palette, inspector at narrow widths) cover
 * part of the canvas: every framing works in the visible area left free
 * (`Insets`). The arithmetic is pure (fitViewport, panToShow, visibleExtent,
 * wheelFactor) and unit-tested.
 */

import type cytoscape from 'cytoscape';

import { lodBand, LodSwitcher } from './lod';
import { Point } from './types';

/**
 * Below this zoom card text is smaller than ~8 screen pixels: Fit may go
 * lower to show the whole network, and the cards then switch to the
 * level-of-detail drawing (updateLevelOfDetail).
 */
export const READABLE_ZOOM = 0.7;
/** Below this zoom cards are drawn as plain titled boxes instead of their faces. */
export const FAR_ZOOM = READABLE_ZOOM;
/** Padding around the network when it is framed, in screen pixels. */
const FIT_PAD = 32;
/** A card found (Ctrl+F) is shown at least at this zoom: every line of its face readable. */
export const FOCUS_ZOOM = 1;
/** One zoom button press (or about three wheel notches) zooms by this factor. */
export const ZOOM_STEP = 1.25;
/** Screen pixels of wheel movement that zoom by a factor e (a 100 px notch: about 15%). */
const WHEEL_SCALE = 650;

export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  w: number;
  h: number;
}

/** Screen pixels of the canvas covered by overlay panels on each side. */
export interface Insets {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const NO_INSETS: Insets = { left: 0, right: 0, top: 0, bottom: 0 };

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

/** The box spanning two boxes. */
export function union(a: Box, b: Box): Box {
  const x1 = Math.min(a.x1, b.x1);
  const y1 = Math.min(a.y1, b.y1);
  const x2 = Math.max(a.x2, b.x2);
  const y2 = Math.max(a.y2, b.y2);
  return { x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 };
}

/** True when `inner` lies inside `outer`. */
export function contains(outer: Box, inner: Box): boolean {
  return inner.x1 >= outer.x1 && inner.y1 >= outer.y1 && inner.x2 <= outer.x2 && inner.y2 <= outer.y2;
}

/** The screen rectangle of a `width` x `height` canvas left free by the overlays. */
export function visibleArea(width: number, height: number, insets: Insets = NO_INSETS): Box {
  const x1 = Math.min(insets.left, width);
  const y1 = Math.min(insets.top, height);
  const x2 = Math.max(x1, width - insets.right);
  const y2 = Math.max(y1, height - insets.bottom);
  return { x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 };
}

/** The model box seen in screen rectangle `area` at `pan` and `zoom`. */
export function visibleExtent(pan: Point, zoom: number, area: Box): Box {
  const x1 = (area.x1 - pan.x) / zoom;
  const y1 = (area.y1 - pan.y) / zoom;
  return { x1, y1, x2: x1 + area.w / zoom, y2: y1 + area.h / zoom, w: area.w / zoom, h: area.h / zoom };
}

/** The pan that puts model point `p` at the centre of screen rectangle `area`. */
export function panCentring(p: Point, zoom: number, area: Box): Point {
  return { x: area.x1 + area.w / 2 - p.x * zoom, y: area.y1 + area.h / 2 - p.y * zoom };
}

export interface FitOptions {
  minZoom: number;
  /** Screen pixels covered by overlay panels (the network is framed in the rest). */
  insets?: Insets;
  /** Mean y of the Input cards, where a network too large to show even at minZoom starts (null: none). */
  inputsY?: number | null;
}

/**
 * Zoom and pan that frame `bb` whole in the visible part of a `width` x
 * `height` canvas, never zooming in past 100%. Below READABLE_ZOOM the cards
 * draw as readable boxes (level of detail). Only a network too large to show
 * even at `minZoom` is cut: it starts at its left edge, centred on its Input
 * cards without empty space beyond its top or bottom.
 */
export function fitViewport(bb: Box, width: number, height: number, opt: FitOptions): { zoom: number; pan: Point } {
  const pad = FIT_PAD;
  const area = visibleArea(width, height, opt.insets);
  const room = { w: Math.max(area.w - 2 * pad, 1), h: Math.max(area.h - 2 * pad, 1) };
  let z = Math.min(room.w / Math.max(bb.w, 1), room.h / Math.max(bb.h, 1), 1);
  z = Math.max(z, opt.minZoom);
  const fitsX = bb.w * z <= room.w + 1e-9;
  const fitsY = bb.h * z <= room.h + 1e-9;
  let y = area.y1 + (area.h - bb.h * z) / 2 - bb.y1 * z;
  if (!fitsY) {
    const cy0 = opt.inputsY ?? bb.y1;
    y = area.y1 + area.h / 2 - cy0 * z;
    y = Math.min(y, area.y1 + pad - bb.y1 * z);
    y = Math.max(y, area.y2 - pad - bb.y2 * z);
  }
  const x = fitsX ? area.x1 + (area.w - bb.w * z) / 2 - bb.x1 * z : area.x1 + pad - bb.x1 * z;
  return { zoom: z, pan: { x, y } };
}

/**
 * The zoom factor of one wheel event: smooth (about 15% per 100 px notch),
 * never more than 25% per event whatever the device reports.
 */
export function wheelFactor(deltaY: number, deltaMode: number): number {
  const unit = deltaMode === 1 ? 33 : deltaMode === 2 ? 400 : 1; // lines, pages, pixels
  return Math.min(ZOOM_STEP, Math.max(1 / ZOOM_STEP, Math.exp((-deltaY * unit) / WHEEL_SCALE)));
}

/**
 * The smallest move of the network (model units; cy.panBy takes it times the
 * zoom) that brings box `bb` into the visible `extent` with `margin` to spare;
 * {0, 0} when it is visible already. A box larger than the extent shows its
 * top left corner.
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

/** What the viewport needs from the editor: the core, the cards on it and what covers it. */
export interface ViewportHost {
  readonly cy: cytoscape.Core | null;
  footprints(): Footprint[];
  /** Mean y of the Input cards, or null when there are none. */
  inputsY(): number | null;
  /** Screen pixels of the canvas covered by overlay panels. */
  insets(): Insets;
}

export class Viewport {
  /** True until the user pans, zooms or clicks: resizing the view frames the network again. */
  automatic = true;
  /** The network was framed once: later additions bring new cards in without moving the others. */
  framed = false;
  /** Cards are drawn far (plain boxes) at the current zoom. */
  far = false;
  /** Switches the cards' level-of-detail band (lod.ts). */
  lod: LodSwitcher | null = null;

  constructor(private host: ViewportHost) {}

  /** The screen rectangle of the canvas left free by the overlay panels. */
  area(): Box {
    const cy = this.host.cy;
    return cy ? visibleArea(cy.width(), cy.height(), this.host.insets()) : visibleArea(0, 0);
  }

  /** The model box the user sees (the canvas minus the overlay panels). */
  extent(): Box {
    const cy = this.host.cy!;
    return visibleExtent(cy.pan(), cy.zoom(), this.area());
  }

  /**
   * Frame the network as it first shows (empty: 100% with a margin); cards
   * take the far-out drawing of that zoom at once (see `updateLevelOfDetail`).
   */
  initial(): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    if (!cy.nodes().length) {
      cy.zoom(1);
      cy.pan({ x: this.area().x1 + 40, y: 40 });
      return;
    }
    this.fit(true);
    this.framed = true;
  }

  /** Show the whole network in the visible area (see fitViewport). */
  fit(lodAtOnce = false): void {
    const cy = this.host.cy;
    if (!cy || !cy.nodes().length) {
      return;
    }
    cy.resize();
    const v = fitViewport(boxOf(this.host.footprints()), cy.width(), cy.height(), {
      minZoom: cy.minZoom(),
      insets: this.host.insets(),
      inputsY: this.host.inputsY()
    });
    cy.viewport({ zoom: v.zoom, pan: v.pan });
    this.updateLevelOfDetail(lodAtOnce);
  }

  /** Zoom by `factor` around a screen point of the canvas (default: the visible area's centre). */
  zoomBy(factor: number, at?: Point): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const a = this.area();
    const z = Math.min(cy.maxZoom(), Math.max(cy.minZoom(), cy.zoom() * factor));
    cy.zoom({ level: z, renderedPosition: at || { x: a.x1 + a.w / 2, y: a.y1 + a.h / 2 } });
  }

  /** Pan as little as needed to show a node whole. */
  ensureVisible(node: cytoscape.NodeSingular): void {
    this.showBox(node.boundingBox({}) as Box);
  }

  /** Pan as little as needed to show a model box (new cards), leaving the zoom as it is. */
  showBox(bb: Box): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const d = panToShow(this.extent(), bb, 24 / cy.zoom());
    if (d.x || d.y) {
      const z = cy.zoom();
      cy.panBy({ x: d.x * z, y: d.y * z });
    }
  }

  /** Centre a model point in the visible area, zoomed in to at least `zoom`. */
  centre(p: Point, zoom: number): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    const z = Math.max(cy.zoom(), zoom);
    cy.viewport({ zoom: z, pan: panCentring(p, z, this.area()) });
    this.updateLevelOfDetail();
  }

  /**
   * Far out, faces are unreadable: draw cards as named boxes (lod.ts), the
   * band following the zoom; the cards switch over the next frames, or all
   * now with `atOnce`.
   */
  updateLevelOfDetail(atOnce = false): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    if (!this.lod || this.lod.cy !== cy) {
      this.lod = new LodSwitcher(cy);
    }
    const band = lodBand(cy.zoom(), FAR_ZOOM);
    if (band !== this.lod.band) {
      this.far = band > 0;
      this.lod.set(band, atOnce);
    }
  }
}
