/**
 * The minimap: an overview of a large network in a corner of the canvas, the
 * cards as boxes in their category's colour and the visible area as a
 * rectangle; a click or a drag on it pans the canvas. It shows by itself when
 * the network does not fit the view (or by the toolbar's toggle).
 *
 * It stays cheap at thousands of cards: it draws to a <canvas>, at most once
 * per animation frame, and only after a pan, zoom, resize or graph change;
 * the cards are drawn once per graph change into an offscreen canvas that
 * each pan copies. The mapping (mapTransform, toMap, toWorld) is pure and
 * unit-tested.
 */

import type cytoscape from 'cytoscape';

import { h } from './dom';
import { Point } from './types';
import { Box, contains, panCentring } from './viewport';

/** Size of the minimap in CSS pixels, and the margin inside it. */
export const MAP_SIZE = { width: 200, height: 130, pad: 6 };

/** A card as the minimap draws it: its model box and colour. */
export interface MapCard {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  color: string;
}

/** Map pixels = (model - origin) * scale + offset. */
export interface MapTransform {
  scale: number;
  origin: Point;
  offset: Point;
}

/** The transform that fits model box `world` into a `width` x `height` map, centred, with `pad`. */
export function mapTransform(world: Box, width: number, height: number, pad: number): MapTransform {
  const scale = Math.min((width - 2 * pad) / Math.max(world.w, 1), (height - 2 * pad) / Math.max(world.h, 1));
  return {
    scale,
    origin: { x: world.x1, y: world.y1 },
    offset: { x: (width - world.w * scale) / 2, y: (height - world.h * scale) / 2 }
  };
}

export function toMap(t: MapTransform, p: Point): Point {
  return { x: (p.x - t.origin.x) * t.scale + t.offset.x, y: (p.y - t.origin.y) * t.scale + t.offset.y };
}

export function toWorld(t: MapTransform, p: Point): Point {
  return { x: (p.x - t.offset.x) / t.scale + t.origin.x, y: (p.y - t.offset.y) / t.scale + t.origin.y };
}

/**
 * The model box the minimap shows: the network with half a view to spare on
 * each side, so the view rectangle stays on the map while its centre is on the
 * network. It depends on the zoom, not the pan: panning moves only the rectangle.
 */
export function mapWorld(network: Box, extent: Box): Box {
  const dx = extent.w / 2;
  const dy = extent.h / 2;
  return {
    x1: network.x1 - dx,
    y1: network.y1 - dy,
    x2: network.x2 + dx,
    y2: network.y2 + dy,
    w: network.w + 2 * dx,
    h: network.h + 2 * dy
  };
}

/**
 * True when the network is not all inside the visible extent (the minimap
 * helps) and the visible area (screen pixels) has room for the minimap.
 */
export function needsMap(network: Box, extent: Box, area: { w: number; h: number }): boolean {
  const room = area.w >= 2 * MAP_SIZE.width && area.h >= 2 * MAP_SIZE.height;
  return room && network.w > 0 && !contains(extent, network);
}

export type MinimapMode = 'auto' | 'on' | 'off';

/** What the minimap needs from the editor. */
export interface MinimapHost {
  readonly cy: cytoscape.Core | null;
  /** The cards to draw (model boxes and colours). */
  cards(): MapCard[];
  /** The wires as straight lines between model points (drawn under the cards). */
  wires(): [Point, Point][];
  /** The network's model box. */
  network(): Box;
  /** The model box the user sees (the canvas minus overlay panels). */
  extent(): Box;
  /** The screen rectangle of the canvas left free by overlay panels. */
  area(): Box;
  /** The user moved the view with the minimap. */
  panned(): void;
  /** The minimap was shown or hidden. */
  shownChanged(shown: boolean): void;
}

export class Minimap {
  readonly el: HTMLElement;
  private canvas: HTMLCanvasElement;
  private cache: HTMLCanvasElement | null = null;
  private mode: MinimapMode = 'auto';
  private frame = 0;
  private cardsDirty = true;
  private network: Box | null = null;
  /** The transform of the last drawing (frozen during a drag). */
  private t: MapTransform | null = null;
  private drag: { offset: Point; t: MapTransform } | null = null;
  shown = false;

  constructor(private host: MinimapHost) {
    this.canvas = h('canvas', { class: 'nnc-minimap-canvas' });
    this.el = h(
      'div',
      {
        class: 'nnc-minimap',
        'data-testid': 'nncards-minimap',
        title: 'Overview: click or drag to move the view'
      },
      this.canvas
    );
    this.el.style.display = 'none';
    this.el.addEventListener('pointerdown', e => this.onDown(e));
    this.el.addEventListener('pointermove', e => this.onMove(e));
    this.el.addEventListener('pointerup', e => this.onUp(e));
    this.el.addEventListener('pointercancel', e => this.onUp(e));
    // the canvas below must not start a selection box or a wire
    this.el.addEventListener('mousedown', e => e.stopPropagation());
  }

  /** Redraw on every pan, zoom and card move of `cy`. */
  bind(cy: cytoscape.Core): void {
    cy.on('viewport resize', () => this.schedule());
    cy.on('position', 'node', () => this.graphChanged());
    this.graphChanged();
  }

  /** 'auto': shown when the network does not fit the view; 'on' / 'off': as the user chose. */
  setMode(mode: MinimapMode): void {
    this.mode = mode;
    this.schedule();
  }

  /** Cards were added, removed or moved: draw them again at the next frame. */
  graphChanged(): void {
    this.cardsDirty = true;
    this.network = null;
    this.schedule();
  }

  /** Draw at the next animation frame (once, however many changes come before it). */
  schedule(): void {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.draw();
      });
    }
  }

  dispose(): void {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
  }

  /** Where the view rectangle is on the minimap (map pixels), for tests. */
  viewRect(): Box | null {
    if (!this.shown || !this.t) {
      return null;
    }
    const e = this.host.extent();
    const a = toMap(this.t, { x: e.x1, y: e.y1 });
    const b = toMap(this.t, { x: e.x2, y: e.y2 });
    return { x1: a.x, y1: a.y, x2: b.x, y2: b.y, w: b.x - a.x, h: b.y - a.y };
  }

  private draw(): void {
    const cy = this.host.cy;
    if (!cy) {
      return;
    }
    if (!this.network) {
      this.network = this.host.network();
    }
    const extent = this.host.extent();
    const shown =
      this.mode === 'on' ||
      (this.mode === 'auto' && cy.nodes().length > 0 && needsMap(this.network, extent, this.host.area()));
    if (shown !== this.shown) {
      this.shown = shown;
      this.el.style.display = shown ? '' : 'none';
      this.host.shownChanged(shown);
    }
    if (!shown) {
      return;
    }
    const { width, height, pad } = MAP_SIZE;
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * ratio)) {
      this.canvas.width = Math.round(width * ratio);
      this.canvas.height = Math.round(height * ratio);
      this.cardsDirty = true;
    }
    const t = this.drag ? this.drag.t : mapTransform(mapWorld(this.network, extent), width, height, pad);
    const same = this.t && this.t.scale === t.scale && this.t.origin.x === t.origin.x && this.t.origin.y === t.origin.y;
    if (!same || this.cardsDirty || !this.cache) {
      this.drawCards(t, ratio);
    }
    this.t = t;
    const g = this.canvas.getContext('2d');
    if (!g) {
      return;
    }
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    g.drawImage(this.cache!, 0, 0);
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    const a = toMap(t, { x: extent.x1, y: extent.y1 });
    const b = toMap(t, { x: extent.x2, y: extent.y2 });
    g.fillStyle = 'rgba(37, 99, 235, 0.10)';
    g.fillRect(a.x, a.y, b.x - a.x, b.y - a.y);
    g.strokeStyle = 'rgba(37, 99, 235, 0.9)';
    g.lineWidth = 1.5;
    g.strokeRect(a.x, a.y, b.x - a.x, b.y - a.y);
  }

  /** The cards, drawn once into the offscreen cache. */
  private drawCards(t: MapTransform, ratio: number): void {
    this.cardsDirty = false;
    const cache = this.cache || document.createElement('canvas');
    this.cache = cache;
    cache.width = this.canvas.width;
    cache.height = this.canvas.height;
    const g = cache.getContext('2d');
    if (!g) {
      return;
    }
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, MAP_SIZE.width, MAP_SIZE.height);
    // one path, one stroke: cheap for thousands of wires
    g.beginPath();
    for (const [p, q] of this.host.wires()) {
      const a = toMap(t, p);
      const b = toMap(t, q);
      g.moveTo(a.x, a.y);
      g.lineTo(b.x, b.y);
    }
    g.strokeStyle = 'rgba(120, 130, 145, 0.7)';
    g.lineWidth = 1;
    g.stroke();
    for (const c of this.host.cards()) {
      const a = toMap(t, { x: c.x1, y: c.y1 });
      g.fillStyle = c.color;
      g.fillRect(a.x, a.y, Math.max((c.x2 - c.x1) * t.scale, 1.5), Math.max((c.y2 - c.y1) * t.scale, 1.5));
    }
  }

  private mapPoint(e: PointerEvent): Point {
    const r = this.canvas.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  /** Centre the view on the model point under the pointer (less the grab offset). */
  private panTo(e: PointerEvent): void {
    const cy = this.host.cy;
    if (!cy || !this.drag) {
      return;
    }
    const w = toWorld(this.drag.t, this.mapPoint(e));
    const centre = { x: w.x - this.drag.offset.x, y: w.y - this.drag.offset.y };
    cy.pan(panCentring(centre, cy.zoom(), this.host.area()));
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0 || !this.t) {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
    this.el.setPointerCapture?.(e.pointerId);
    const w = toWorld(this.t, this.mapPoint(e));
    const ext = this.host.extent();
    const inside = w.x >= ext.x1 && w.x <= ext.x2 && w.y >= ext.y1 && w.y <= ext.y2;
    // grabbing the rectangle moves it from where it was grabbed; elsewhere the view jumps there
    const offset = inside ? { x: w.x - (ext.x1 + ext.w / 2), y: w.y - (ext.y1 + ext.h / 2) } : { x: 0, y: 0 };
    this.drag = { offset, t: this.t };
    this.host.panned();
    this.panTo(e);
  }

  private onMove(e: PointerEvent): void {
    if (this.drag) {
      e.preventDefault();
      this.panTo(e);
    }
  }

  private onUp(e: PointerEvent): void {
    if (this.drag) {
      this.drag = null;
      this.el.releasePointerCapture?.(e.pointerId);
      this.schedule();
    }
  }
}
