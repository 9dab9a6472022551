/**
 * The drawing of a nested-model card's group toggle ("▸ 3 layers" in its
 * header) and of an expanded group's frame: header with the toggle, the card's
 * port dots and labels on its edges, a footer; the space kept around the inner
 * cards inside it.
 */

import { darkFace, escapeXml, faceOpen, faceTheme, footerSvg, headerSvg, portDot } from './cardsvg';
import { categoryColor, tint, typeColor } from './colors';
import { CARD, textWidth } from './geometry';
import type { GroupLayout } from './grouplayout';
import { CardSpec } from './types';

/** Space around the inner cards inside the frame. */
export const FRAME = {
  pad: 24,
  /** The band under the header holding the "Layer instance" output. */
  band: CARD.rowHeight + 8,
  /** Room between a port's label and the inner cards. */
  labelGap: 34,
  labelSize: 10.5,
  /** Space kept between an expanded frame and the cards moved aside for it. */
  gap: 40
};

/** Where the toggle is drawn in a card's header (local coordinates). */
export interface ToggleBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function toggleBox(width: number, label: string, error: boolean): ToggleBox {
  const w = Math.ceil(textWidth(label, 10, true)) + 14;
  return { x: width - w - (error ? 30 : 8), y: 11, w, h: 18 };
}

function toggleSvg(box: ToggleBox, label: string): string {
  return (
    `<g data-toggle="group"><rect x="${box.x}" y="${box.y}" width="${box.w}" height="${box.h}" rx="9" ` +
    `fill="#eef1f6" stroke="#5b6cb0"/>` +
    `<text x="${box.x + box.w / 2}" y="${box.y + 12.5}" text-anchor="middle" font-size="10" font-weight="700" ` +
    `fill="#1f4f99">${escapeXml(label)}</text></g>`
  );
}

/** The frame's face: header with the toggle, port dots and labels on its edges, a footer. */
export function frameSvg(
  spec: CardSpec,
  layout: GroupLayout,
  opt: { name: string; label: string; shape: string; params: string; error: string; connected?: Set<string> }
): string {
  const g = layout.frame;
  const W = g.width;
  const H = g.height;
  const accent = opt.error ? '#d32f2f' : categoryColor(spec.category);
  const head = faceTheme.dark ? '#3a4354' : tint(accent, 0.88);
  const parts: string[] = [];
  parts.push(faceOpen(W, H));
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fbfcfe"/>`);
  parts.push(
    `<rect x="3" y="${g.headerHeight + 3}" width="${W - 6}" height="${g.footerY! - g.headerHeight - 6}" rx="6" fill="none" ` +
      `stroke="#d5dbe4" stroke-dasharray="6 4"/>`
  );
  // a card's header, with no line under it (the band of the "Layer instance" output follows)
  parts.push(headerSvg(W, g.headerHeight, { accent, fill: head, title: spec.title, subtitle: opt.name }));
  parts.push(toggleSvg(layout.toggle, opt.label));
  for (const r of g.rows) {
    const out = r.kind === 'output';
    const p = out ? g.outputPorts[r.name] : g.inputPorts[r.name];
    parts.push(portDot(p.x, p.y, typeColor(r.type), !!opt.connected?.has((out ? 'out:' : 'in:') + r.name)));
    // labels sit above their dots, clear of the wires leaving them sideways
    const x = out ? p.x - 4 : p.x + 4;
    parts.push(
      `<text x="${x}" y="${p.y - 9}" text-anchor="${out ? 'end' : 'start'}" font-size="${FRAME.labelSize}" fill="#27313f">${escapeXml(r.label)}</text>`
    );
  }
  // the footer of a card: the error in place of the shape and the parameter count
  parts.push(
    footerSvg(W, H, g.footerY!, {
      shape: opt.error || opt.shape,
      params: opt.error ? '' : opt.params,
      error: opt.error
    })
  );
  parts.push('</svg>');
  const svg = parts.join('');
  return faceTheme.dark ? darkFace(svg) : svg;
}

/** A collapsed nested-model card's face with its toggle drawn in the header. */
export function withToggle(svg: string, box: ToggleBox, label: string): string {
  const mark = toggleSvg(box, label);
  return svg.replace(/<\/svg>$/, (faceTheme.dark ? darkFace(mark) : mark) + '</svg>');
}
