/**
 * Culling: cytoscape draws only the cards and wires that can be on screen.
 *
 * Cytoscape's canvas renderer looks at every element in every frame (its
 * bounding box, then whether it meets the view), and far out it draws the
 * whole network into cached pictures ("layers"). At 1,000-2,000 cards that is
 * most of a frame while panning, even when 20 cards are on screen, and a layer
 * draws every card: one not yet switched to its far-out box (lod.ts switches a
 * chunk per frame) would have its face image decoded. Here the renderer gets
 * only the elements whose box (kept by us, from card positions and sizes, and
 * for a wire from its two cards and the handles of its curve) meets the view,
 * and never makes layers: drawing the boxes in view was measured as fast as
 * blitting layers (2,000 cards fitted: pan p95 about 20 ms either way), and
 * the first display of 2,000 cards about 15% faster without them.
 *
 * The renderer methods wrapped (`drawCachedElements`, `drawLayeredElements`)
 * are private to cytoscape's canvas renderer: the wrapping is done only on the
 * versions it was checked with (see `cullingSupported`); elsewhere cytoscape
 * draws as before. The boxes are always at least the elements' drawn boxes, so
 * an element is left out only where cytoscape would not draw it either.
 */

import type cytoscape from 'cytoscape';

import { Point } from './types';
import type { Box } from './viewport';

/** Below this many elements cytoscape's own loop is cheap: no culling. */
export const CULL_MIN = 200;
/** Model pixels added around a card (borders, selection, far-out labels). */
const CARD_MARGIN = 24;
/** Model pixels added around a wire (its width, hover overlay, shape label). */
const WIRE_MARGIN = 40;

export function box(x1: number, y1: number, x2: number, y2: number): Box {
  return { x1, y1, x2, y2, w: x2 - x1, h: y2 - y1 };
}

/** A card's box from its centre and size, with the margin for what is drawn around it. */
export function cardBox(center: Point, width: number, height: number): Box {
  const hw = width / 2 + CARD_MARGIN;
  const hh = height / 2 + CARD_MARGIN;
  return box(center.x - hw, center.y - hh, center.x + hw, center.y + hh);
}

/**
 * A wire's box: its two cards and the handles of its curve (a bezier curve
 * stays inside the hull of its end and control points).
 */
export function wireBox(src: Box, tgt: Box, handles: Point[]): Box {
  let x1 = Math.min(src.x1, tgt.x1);
  let y1 = Math.min(src.y1, tgt.y1);
  let x2 = Math.max(src.x2, tgt.x2);
  let y2 = Math.max(src.y2, tgt.y2);
  for (const p of handles) {
    x1 = Math.min(x1, p.x);
    y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x);
    y2 = Math.max(y2, p.y);
  }
  return box(x1 - WIRE_MARGIN, y1 - WIRE_MARGIN, x2 + WIRE_MARGIN, y2 + WIRE_MARGIN);
}

export function intersects(a: Box, b: Box): boolean {
  return !(a.x2 < b.x1 || a.x1 > b.x2 || a.y2 < b.y1 || a.y1 > b.y2);
}

/** Cytoscape versions whose canvas renderer was checked to draw through the wrapped methods. */
export function cullingSupported(version: string | undefined, renderer: unknown): boolean {
  const m = /^3\.(\d+)\./.exec(version || '');
  const minor = m ? Number(m[1]) : -1;
  const r = renderer as { drawCachedElements?: unknown; drawLayeredElements?: unknown } | null;
  return (
    minor >= 18 &&
    minor <= 33 &&
    !!r &&
    typeof r.drawCachedElements === 'function' &&
    typeof r.drawLayeredElements === 'function'
  );
}

/** The box of a card or wire by its element id, or null for other elements (always drawn). */
export type BoxOf = (id: string, isNode: boolean) => Box | null;

export class Culler {
  private boxes = new Map<string, Box | null>();
  /** Elements given to cytoscape in the last frame (for tests and benchmarks). */
  lastDrawn = -1;

  constructor(
    private cy: cytoscape.Core,
    private boxOf: BoxOf
  ) {}

  /** Wrap the renderer; false when this cytoscape version is not one the wrapping was checked with. */
  install(version: string | undefined): boolean {
    const r = (this.cy as any).renderer();
    if (!cullingSupported(version, r)) {
      return false;
    }
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const drawCached = r.drawCachedElements;
    const drawLayered = r.drawLayeredElements;
    r.drawCachedElements = function (context: unknown, eles: any[], pxRatio: number, extent: Box | undefined) {
      if (extent && eles.length >= CULL_MIN) {
        eles = self.visible(eles, extent);
      }
      return drawCached.call(this, context, eles, pxRatio, extent);
    };
    r.drawLayeredElements = function (context: unknown, eles: any[], pxRatio: number, extent: Box | undefined) {
      if (extent && eles.length >= CULL_MIN) {
        return r.drawCachedElements(context, eles, pxRatio, extent);
      }
      return drawLayered.call(this, context, eles, pxRatio, extent);
    };
    this.cy.on('position', 'node', ev => this.moved(ev.target));
    this.cy.on('add remove', ev => this.forget([ev.target.id()]));
    return true;
  }

  /** Forget the boxes of these elements (they moved or changed size). */
  forget(ids: Iterable<string>): void {
    for (const id of ids) {
      this.boxes.delete(id);
    }
  }

  /** A card moved or changed size: its box and its wires' boxes are out of date. */
  moved(node: cytoscape.NodeSingular): void {
    const ids = [node.id()];
    node.connectedEdges().forEach(e => {
      ids.push(e.id());
    });
    this.forget(ids);
  }

  private boxFor(ele: any): Box | null {
    const p = ele._private;
    const id: string = p.data.id;
    let b = this.boxes.get(id);
    if (b === undefined) {
      b = this.boxOf(id, p.group === 'nodes');
      this.boxes.set(id, b);
    }
    return b;
  }

  /** The elements of `eles` (in their order) whose box meets `extent`. */
  visible(eles: any[], extent: Box): any[] {
    const out: any[] = [];
    for (let i = 0; i < eles.length; i++) {
      const b = this.boxFor(eles[i]);
      if (!b || intersects(b, extent)) {
        out.push(eles[i]);
      }
    }
    this.lastDrawn = out.length;
    return out;
  }
}
