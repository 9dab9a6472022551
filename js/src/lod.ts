/**
 * Level of detail: far out, a card's face is unreadable, so cards are drawn as
 * boxes in their kind's colour with the card's name (and kind) as cytoscape
 * text, sized per zoom band so that it stays at least LOD_MIN_FONT screen
 * pixels, and hidden once the boxes are too small to hold it. Faces are then
 * not decoded at all.
 *
 * A band is a class on each node (`nnc-far` plus `nnc-lod<band>`), styled in
 * canvas.ts. Changing the classes of every card restyles every card, which at
 * 1,000 cards is a long frame, so the classes change in chunks over frames,
 * cards on screen first (`LodSwitcher`); only cards on screen that still show
 * their faces switch far out at once (drawn far out, a face would be decoded).
 *
 * Wires take the band's classes too: far out they are straight lines between
 * the cards' centres under the boxes (cytoscape's cheap 'haystack' edges), not
 * curves between port dots, which cytoscape would otherwise recompute and
 * stroke for every wire in every frame of a pan over the whole network.
 */

import type cytoscape from 'cytoscape';

import { DARK_FACE } from './cardsvg';
import { categoryColor, mix, tint } from './colors';
import { CARD } from './geometry';
import type { Box } from './viewport';

/** Smallest label on screen, in screen pixels. */
export const LOD_MIN_FONT = 10;

export interface LodBand {
  /** The band holds zooms from `min` (inclusive) up to the previous band's `min`. */
  min: number;
  /** Label font size in model pixels (0: no label, the boxes are too small). */
  font: number;
  /** The label shows the card's name and kind, or only its name. */
  label: 'name-kind' | 'name' | 'none';
  /** Border width in model pixels: about 1.5-3 screen pixels over the band. */
  border: number;
  /** Wire width in model pixels: about 1-2.5 screen pixels over the band. */
  wire: number;
}

/**
 * Far bands (band 1 is the nearest). A card of the usual width (184-340 model
 * px) holds a 10-15 screen px name down to about 0.25; below, the boxes show
 * colour and marks only.
 */
export const LOD_BANDS: LodBand[] = [
  { min: 0.42, font: 24, label: 'name-kind', border: 4, wire: 3.5 },
  { min: 0.25, font: 40, label: 'name', border: 6, wire: 6 },
  { min: 0, font: 0, label: 'none', border: 14, wire: 10 }
];

/**
 * Node data of a card's far-out drawing (styled in canvas.ts): its name, the
 * label with its kind, the label's width and the colours of its kind.
 */
export function farLook(
  name: string,
  kind: string,
  category: string[] | undefined,
  width: number
): Record<string, string | number> {
  const color = categoryColor(category);
  return {
    name,
    farLabel: `${name}\n${kind}`,
    farTextWidth: Math.max(10, width - 2 * CARD.padX),
    kind: color,
    tint: tint(color, 0.72),
    farDark: mix(color, DARK_FACE, 0.6)
  };
}

/** Cards whose class changes in one frame. */
export const LOD_CHUNK = 80;

/** Every class a band may put on a node. */
export const LOD_CLASSES = ['nnc-far', ...LOD_BANDS.map((_, i) => `nnc-lod${i + 1}`)];

/** The band at a zoom: 0 (faces) at or above `farZoom`, else 1.. (LOD_BANDS index + 1). */
export function lodBand(zoom: number, farZoom: number): number {
  if (zoom >= farZoom) {
    return 0;
  }
  const i = LOD_BANDS.findIndex(b => zoom >= b.min);
  return i < 0 ? LOD_BANDS.length : i + 1;
}

/** The classes of a node in a band ('' for faces). */
export function lodClasses(band: number): string {
  return band > 0 ? `nnc-far nnc-lod${band}` : '';
}

/** The band a card or wire is drawn in now, from its classes. */
export function nodeBand(node: cytoscape.SingularElementArgument): number {
  if (!node.hasClass('nnc-far')) {
    return 0;
  }
  for (let i = 1; i <= LOD_BANDS.length; i++) {
    if (node.hasClass(`nnc-lod${i}`)) {
      return i;
    }
  }
  return -1;
}

/**
 * Order for switching: cards that meet the view first, then the rest; at most
 * `limit` of them.
 */
export function switchOrder<T>(items: T[], onScreen: (t: T) => boolean, limit: number): T[] {
  const first: T[] = [];
  const later: T[] = [];
  for (const t of items) {
    (onScreen(t) ? first : later).push(t);
  }
  return first.concat(later).slice(0, limit);
}

/** Where a card (its centre) or a wire (between its cards' centres) is, for the switching order. */
function placeOf(el: cytoscape.SingularElementArgument): { x: number; y: number } {
  if (el.isNode()) {
    return el.position();
  }
  const a = (el as cytoscape.EdgeSingular).source().position();
  const b = (el as cytoscape.EdgeSingular).target().position();
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/**
 * The band an element is drawn at when cards are at `band`: a wire into or out
 * of an open group's frame (node data `openGroup`) stays a curve between port
 * dots, as a straight line to the frame's centre would cross its inner cards.
 */
export function wireBand(el: cytoscape.SingularElementArgument, band: number): number {
  if (band && el.isEdge()) {
    const e = el as cytoscape.EdgeSingular;
    if (e.source().data('openGroup') || e.target().data('openGroup')) {
      return 0;
    }
  }
  return band;
}

/** Brings every card's and wire's classes to the band of the current zoom, a chunk per frame. */
export class LodSwitcher {
  /** The band cards are being brought to (new cards start in it). */
  band = 0;
  private frame = 0;

  constructor(readonly cy: cytoscape.Core) {}

  /**
   * Switch to `band`; true when cards still have to change (done over the
   * next frames). `atOnce`: every card now (the first framing, inside the
   * batch that adds the cards, where it costs nothing more).
   */
  set(band: number, atOnce = false): boolean {
    this.band = band;
    return this.step(atOnce);
  }

  /** True while cards are still being switched. */
  get busy(): boolean {
    return this.frame !== 0;
  }

  private step(atOnce = false): boolean {
    const cy = this.cy;
    if (cy.destroyed()) {
      return false;
    }
    const band = this.band;
    const wrong: cytoscape.SingularElementArgument[] = [];
    // cards before wires: with the on-screen ones first, the cards on screen lead
    const check = (n: cytoscape.SingularElementArgument): void => {
      if (nodeBand(n) !== wireBand(n, band)) {
        wrong.push(n);
      }
    };
    cy.nodes('.card').forEach(check);
    cy.edges('.wire').forEach(check);
    if (!wrong.length) {
      return false;
    }
    const ext = cy.extent() as Box;
    const onScreen = (n: cytoscape.SingularElementArgument): boolean => {
      const p = placeOf(n);
      return p.x > ext.x1 - 400 && p.x < ext.x2 + 400 && p.y > ext.y1 - 400 && p.y < ext.y2 + 400;
    };
    // A card on screen still drawn with its face far out would have its face
    // image decoded (time and memory for nothing): those switch at once.
    const cardsOnScreen = wrong.filter(n => n.isNode() && onScreen(n));
    const now = band > 0 && cardsOnScreen.some(n => nodeBand(n) === 0) ? cardsOnScreen.length : 0;
    const chunk = atOnce ? wrong : switchOrder(wrong, onScreen, Math.max(LOD_CHUNK, now));
    const classes = lodClasses(band);
    cy.batch(() => {
      for (const n of chunk) {
        n.removeClass(LOD_CLASSES.join(' '));
        if (classes && wireBand(n, band) === band) {
          n.addClass(classes);
        }
      }
    });
    const more = wrong.length > chunk.length;
    if (more && !this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.step();
      });
    }
    return more;
  }
}

/**
 * Run `read` with `wires` drawn as their curves (as near), then put their
 * far-out classes back: the picture export takes the curves cytoscape works
 * out, whatever the zoom.
 */
export function withCurves<T>(wires: cytoscape.EdgeSingular[], read: () => T): T {
  const far = wires.map(w => LOD_CLASSES.filter(c => w.hasClass(c)).join(' '));
  wires.forEach((w, i) => far[i] && w.removeClass(far[i]));
  try {
    return read();
  } finally {
    wires.forEach((w, i) => far[i] && w.addClass(far[i]));
  }
}
