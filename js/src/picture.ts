/**
 * The network as a picture: one SVG document made of the cards' faces (their
 * own SVG, placed where the cards are) and the wires (the curves drawn on the
 * canvas), and a PNG drawn from it. `networkSvg` is pure; `download` saves a
 * file from the browser.
 */

import { Point } from './types';

export interface PictureCard {
  /** Top-left corner and size, in model pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The face's SVG document. */
  svg: string;
}

export interface PictureWire {
  /** Start, control points (cytoscape's, each a quadratic handle), end. */
  start: Point;
  controls: Point[];
  end: Point;
  color: string;
}

const PAD = 24;

function r1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** A wire as cytoscape draws it: quadratic pieces [start, handle, end] through the handles' midpoints. */
function wirePieces(w: PictureWire): [Point, Point, Point][] {
  const pts = w.controls;
  const pieces: [Point, Point, Point][] = [];
  let from = w.start;
  for (let i = 0; i < pts.length; i++) {
    const c = pts[i];
    const next = i + 1 < pts.length ? { x: (c.x + pts[i + 1].x) / 2, y: (c.y + pts[i + 1].y) / 2 } : w.end;
    pieces.push([from, c, next]);
    from = next;
  }
  return pieces;
}

/**
 * The box a wire's curve stays in (each quadratic piece's ends and its turning
 * points), so a wire looping back around a card is not cut off the picture.
 */
export function wireBounds(w: PictureWire): { x1: number; y1: number; x2: number; y2: number } {
  const xs = [w.start.x, w.end.x];
  const ys = [w.start.y, w.end.y];
  const turn = (a: number, c: number, b: number, out: number[]): void => {
    const d = a - 2 * c + b;
    const t = d ? (a - c) / d : -1;
    if (t > 0 && t < 1) {
      out.push((1 - t) * (1 - t) * a + 2 * (1 - t) * t * c + t * t * b);
    }
  };
  for (const [a, c, b] of wirePieces(w)) {
    xs.push(b.x);
    ys.push(b.y);
    turn(a.x, c.x, b.x, xs);
    turn(a.y, c.y, b.y, ys);
  }
  return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}

/** The path of a wire as cytoscape draws it (quadratic pieces through the handles' midpoints). */
export function wirePath(w: PictureWire): string {
  const pts = w.controls;
  if (!pts.length) {
    return `M${r1(w.start.x)},${r1(w.start.y)} L${r1(w.end.x)},${r1(w.end.y)}`;
  }
  let d = `M${r1(w.start.x)},${r1(w.start.y)}`;
  for (let i = 0; i < pts.length; i++) {
    const c = pts[i];
    const next = i + 1 < pts.length ? { x: (c.x + pts[i + 1].x) / 2, y: (c.y + pts[i + 1].y) / 2 } : w.end;
    d += ` Q${r1(c.x)},${r1(c.y)} ${r1(next.x)},${r1(next.y)}`;
  }
  return d;
}

/** An SVG document of the network: wires over cards, on a plain background. */
export function networkSvg(cards: PictureCard[], wires: PictureWire[], background: string): string {
  if (!cards.length) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * PAD}" height="${2 * PAD}"/>`;
  }
  // the cards and the wires (a wire going backwards loops around its cards)
  const boxes = [
    ...cards.map(c => ({ x1: c.x, y1: c.y, x2: c.x + c.width, y2: c.y + c.height })),
    ...wires.map(wireBounds)
  ];
  const x1 = Math.min(...boxes.map(b => b.x1)) - PAD;
  const y1 = Math.min(...boxes.map(b => b.y1)) - PAD;
  const x2 = Math.max(...boxes.map(b => b.x2)) + PAD;
  const y2 = Math.max(...boxes.map(b => b.y2)) + PAD;
  const w = Math.ceil(x2 - x1);
  const h = Math.ceil(y2 - y1);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${w}" height="${h}" viewBox="${r1(x1)} ${r1(y1)} ${w} ${h}">`,
    `<rect x="${r1(x1)}" y="${r1(y1)}" width="${w}" height="${h}" fill="${background}"/>`
  ];
  for (const c of cards) {
    // each face is an SVG document of its own: nested at the card's place
    const inner = c.svg.replace(/^<svg /, `<svg x="${r1(c.x)}" y="${r1(c.y)}" `);
    parts.push(`<g class="card">${inner}</g>`);
    parts.push(
      `<rect x="${r1(c.x)}" y="${r1(c.y)}" width="${c.width}" height="${c.height}" rx="6" fill="none" stroke="#c3cad5"/>`
    );
  }
  for (const wire of wires) {
    parts.push(
      `<path class="wire" d="${wirePath(wire)}" fill="none" stroke="${wire.color}" stroke-width="2.5" stroke-linecap="round"/>`
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Save text or a blob as a file download. */
export function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A PNG of an SVG document at `scale`. */
export function svgToPng(svg: string, width: number, height: number, scale = 2): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(width * scale);
      canvas.height = Math.ceil(height * scale);
      const g = canvas.getContext('2d')!;
      g.scale(scale, scale);
      g.drawImage(img, 0, 0, width, height);
      canvas.toBlob(b => (b ? resolve(b) : reject(new Error('The PNG could not be made'))), 'image/png');
    };
    img.onerror = () => reject(new Error('The picture could not be drawn'));
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  });
}
