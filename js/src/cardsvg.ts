/**
 * The face of a card as an SVG document, drawn as the background image of its
 * cytoscape node. Pure string building (no DOM), from the geometry module.
 */

import { CARD, CardGeometry, PREVIEW_FONT, textWidth } from './geometry';
import { categoryColor, mix, tint, typeColor } from './colors';
import { trainingMarks } from './monitor';
import { CardSpec } from './types';

export const FONT_FAMILY = "'Inter', 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";
export const MONO_FAMILY = "'JetBrains Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace";

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Background of a card face in the dark theme. */
export const DARK_FACE = '#262b35';

/** The light face's colours and what they become in the dark theme (accents stay). */
const DARK_COLOURS: Record<string, string> = {
  '#ffffff': DARK_FACE,
  '#e3e7ed': '#3a414e',
  '#5b6472': '#a7b0bf',
  '#27313f': '#e3e8f0',
  '#1b2330': '#f1f4f8',
  '#fdeeee': '#3b2326',
  '#fbfcfe': '#2b313c',
  '#fffaf0': '#3a3124',
  '#f6f7f9': '#2e3440',
  '#f4f6f9': '#2e3440',
  '#eef1f6': '#3a4354',
  '#d5dbe4': '#4a5263',
  '#b71c1c': '#ff8a80',
  '#9aa3af': '#8b95a5',
  '#9ca3af': '#8b95a5',
  '#6b7280': '#a0a8b6',
  '#5b6cb0': '#9fb0f0',
  '#4a5565': '#c2cad6',
  '#374151': '#d0d6df',
  '#1f4f99': '#8ab4ff',
  '#1f2937': '#e5e7eb',
  '#111827': '#f3f4f6'
};

/** The theme card faces are drawn for (set from JupyterLab's theme by the view). */
export const faceTheme = { dark: false };

/** A light face recoloured for the dark theme. */
export function darkFace(svg: string): string {
  return svg.replace(/#[0-9a-f]{6}\b/g, c => DARK_COLOURS[c] || c);
}

export interface FaceOptions {
  title: string;
  subtitle?: string;
  /** Footer: output shape on the left, parameter count on the right. */
  shape?: string;
  params?: string;
  error?: string;
  /** Python names of ports that have a wire (drawn filled). */
  connected?: Set<string>;
  /** Footer text in place of a shape (e.g. "layer inside 'bidirectional'"). */
  note?: string;
  /** The inspection preview drawn in the strip below the footer (geom.previewY). */
  preview?: FacePreview | null;
  /** The card's training statistics (monitor.ts draws the cue). */
  training?: unknown;
  /** Names of the other cards calling this card's layer object (shared weights). */
  sharedBy?: string[];
  /** The colour of that group of cards. */
  sharedColor?: string;
}

export interface FacePreview {
  /** The small picture: a PNG data URI (may be empty). */
  image: string;
  /** First line, e.g. "(4, 8) float32 · 25% zeros". */
  caption: string;
  /** Second line, e.g. "min -0.52  mean 0.11  max 1.3". */
  stats: string;
  /** The graph changed since the preview was taken. */
  stale: boolean;
}

/** SVG markup of a card face, sized to the geometry. */
export function cardSvg(spec: CardSpec, geom: CardGeometry, opt: FaceOptions): string {
  const W = geom.width;
  const H = geom.height;
  const fs = CARD.fontSize;
  const accent = opt.error ? '#d32f2f' : categoryColor(spec.category);
  const parts: string[] = [];
  parts.push(faceOpen(W, H));
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  parts.push(
    headerSvg(W, geom.headerHeight, {
      accent,
      fill: headerFill(accent, opt.error ? 0.86 : 0.88),
      rule: headerFill(accent, 0.7),
      title: opt.title,
      subtitle: opt.subtitle
    })
  );
  if (opt.sharedBy && opt.sharedBy.length && opt.sharedColor) {
    // a badge in the group's colour: "shared ×3"
    const label = `shared ×${opt.sharedBy.length + 1}`;
    const bw = textWidth(label, 9.5) + 12;
    const bx = W - bw - (opt.error ? 30 : 8);
    parts.push(`<rect x="${bx}" y="11" width="${bw}" height="16" rx="8" fill="${opt.sharedColor}"/>`);
    parts.push(
      `<text x="${bx + bw / 2}" y="22.5" text-anchor="middle" font-size="9.5" font-weight="700" fill="#fff" data-badge="shared">${escapeXml(label)}</text>`
    );
    parts.push(`<rect x="0" y="0" width="4" height="${H}" fill="${opt.sharedColor}"/>`);
  }
  if (opt.error) {
    // warning badge in the header's right corner
    const cx = W - 16;
    parts.push(`<circle cx="${cx}" cy="20" r="8" fill="#d32f2f"/>`);
    parts.push(`<text x="${cx}" y="24" text-anchor="middle" font-size="12" font-weight="700" fill="#fff">!</text>`);
  }
  // rows
  for (const r of geom.rows) {
    const baseline = r.y + fs * 0.36;
    if (r.kind === 'output') {
      const p = geom.outputPorts[r.name];
      parts.push(`<text x="${p.x - 10}" y="${baseline}" text-anchor="end" fill="#27313f">${escapeXml(r.label)}</text>`);
      parts.push(portDot(p.x, p.y, typeColor(r.type), !!opt.connected?.has('out:' + r.name)));
    } else if (r.kind === 'port') {
      const p = geom.inputPorts[r.name];
      parts.push(portDot(p.x, p.y, typeColor(r.type), !!opt.connected?.has('in:' + r.name)));
      parts.push(`<text x="${CARD.labelX}" y="${baseline}" fill="#27313f">${escapeXml(r.label)}</text>`);
    } else if (r.kind === 'more') {
      parts.push(
        `<text x="${CARD.labelX}" y="${baseline}" font-size="10.5" fill="#5b6cb0" data-row="more">${escapeXml(r.label)}</text>`
      );
    } else {
      parts.push(`<text x="${CARD.labelX}" y="${baseline}" fill="#4a5565">${escapeXml(r.label)}</text>`);
      const v = r.value ?? '';
      const vw = textWidth(v, fs) + 10;
      const right = W - CARD.padX + 4;
      // unset, or left at the default: drawn quietly
      const unset = v === '–' || !!r.isDefault;
      parts.push(
        `<rect x="${right - vw}" y="${r.y - 8}" width="${vw}" height="16" rx="3" fill="${unset ? '#f6f7f9' : '#eef1f6'}"/>`
      );
      parts.push(
        `<text x="${right - vw / 2}" y="${baseline}" text-anchor="middle" font-weight="600" fill="${unset ? '#9aa3af' : '#111827'}">${escapeXml(v)}</text>`
      );
    }
  }
  if (geom.dividerY !== null) {
    parts.push(
      `<line x1="${CARD.padX}" y1="${geom.dividerY}" x2="${W - CARD.padX}" y2="${geom.dividerY}" stroke="#e3e7ed"/>`
    );
  }
  if (geom.footerY !== null) {
    parts.push(footerSvg(W, H, geom.footerY, opt));
  }
  if (geom.previewY !== null && opt.preview) {
    parts.push(previewSvg(geom, opt.preview));
  }
  parts.push(trainingMarks(W, H, opt.training));
  parts.push('</svg>');
  const svg = parts.join('');
  return faceTheme.dark ? darkFace(svg) : svg;
}

/** The opening tag of a face's SVG document (its size, the card font). */
export function faceOpen(W: number, H: number): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="${escapeXml(FONT_FAMILY)}" font-size="${CARD.fontSize}">`
  );
}

/** What a face's header shows and in which colours. */
export interface HeaderLook {
  /** The kind's colour: the strip along the top. */
  accent: string;
  /** The header's background. */
  fill: string;
  /** The line under the header, if any. */
  rule?: string;
  title: string;
  subtitle?: string;
}

/**
 * A face's header (a card's, an expanded group frame's): its background, the
 * accent strip, the title and the subtitle, placed the same on both.
 */
export function headerSvg(W: number, height: number, look: HeaderLook): string {
  const parts: string[] = [];
  parts.push(`<rect x="0" y="0" width="${W}" height="${height}" fill="${look.fill}"/>`);
  parts.push(`<rect x="0" y="0" width="${W}" height="3" fill="${look.accent}"/>`);
  if (look.rule) {
    parts.push(`<line x1="0" y1="${height - 0.5}" x2="${W}" y2="${height - 0.5}" stroke="${look.rule}"/>`);
  }
  parts.push(
    `<text x="${CARD.padX}" y="19" font-size="${CARD.titleSize}" font-weight="700" fill="#1b2330">${escapeXml(look.title)}</text>`
  );
  if (look.subtitle) {
    parts.push(`<text x="${CARD.padX}" y="33" font-size="10.5" fill="#5b6472">${escapeXml(look.subtitle)}</text>`);
  }
  return parts.join('');
}

/**
 * A face's footer from `fy` down: the output shape (or the error, or a note) on
 * the left, the parameter count on the right.
 */
export function footerSvg(
  W: number,
  H: number,
  fy: number,
  opt: { shape?: string; params?: string; error?: string; note?: string }
): string {
  const parts: string[] = [];
  parts.push(`<rect x="0" y="${fy}" width="${W}" height="${H - fy}" fill="${opt.error ? '#fdeeee' : '#f4f6f9'}"/>`);
  parts.push(`<line x1="0" y1="${fy + 0.5}" x2="${W}" y2="${fy + 0.5}" stroke="#e3e7ed"/>`);
  const by = fy + CARD.footerHeight / 2 + CARD.fontSize * 0.36;
  if (opt.error) {
    parts.push(
      `<text x="${CARD.padX}" y="${by}" font-size="10.5" font-weight="600" fill="#b71c1c">${escapeXml(opt.shape || opt.error)}</text>`
    );
  } else if (opt.shape) {
    parts.push(
      `<text x="${CARD.padX}" y="${by}" font-family="${escapeXml(MONO_FAMILY)}" font-size="10.5" fill="#1f4f99">${escapeXml(opt.shape)}</text>`
    );
  } else if (opt.note) {
    parts.push(
      `<text x="${CARD.padX}" y="${by}" font-size="10.5" font-style="italic" fill="#6b7280">${escapeXml(opt.note)}</text>`
    );
  }
  if (opt.params) {
    parts.push(
      `<text x="${W - CARD.padX}" y="${by}" text-anchor="end" font-size="10.5" fill="#5b6472">${escapeXml(opt.params)}</text>`
    );
  }
  return parts.join('');
}

/** The header's tint of the card's accent colour (towards the face's background). */
function headerFill(accent: string, t: number): string {
  return faceTheme.dark ? mix(accent, DARK_FACE, Math.min(0.8, t - 0.1)) : tint(accent, t);
}

export const STALE_COLOR = '#b45309';

/** The preview strip: caption, picture (dimmed and badged when stale), statistics. */
function previewSvg(geom: CardGeometry, pv: FacePreview): string {
  const W = geom.width;
  const y0 = geom.previewY!;
  const x = CARD.padX;
  const w = W - 2 * CARD.padX;
  const iy = y0 + CARD.previewImageTop;
  const ih = CARD.previewImageHeight;
  const parts: string[] = [];
  parts.push(`<g class="nnc-preview${pv.stale ? ' nnc-stale' : ''}">`);
  parts.push(
    `<rect x="0" y="${y0}" width="${W}" height="${CARD.previewHeight}" fill="${pv.stale ? '#fffaf0' : '#fbfcfe'}"/>`
  );
  parts.push(`<line x1="0" y1="${y0 + 0.5}" x2="${W}" y2="${y0 + 0.5}" stroke="#e3e7ed"/>`);
  parts.push(
    `<text x="${x}" y="${y0 + 14}" font-size="${PREVIEW_FONT}" fill="#374151">${escapeXml(pv.caption)}</text>`
  );
  parts.push(
    `<rect x="${x - 0.5}" y="${iy - 0.5}" width="${w + 1}" height="${ih + 1}" fill="#ffffff" stroke="#d5dbe4"/>`
  );
  if (pv.image) {
    parts.push(
      `<image x="${x}" y="${iy}" width="${w}" height="${ih}" preserveAspectRatio="none" image-rendering="pixelated" href="${escapeXml(pv.image)}"${pv.stale ? ' opacity="0.35"' : ''}/>`
    );
  }
  parts.push(
    `<text x="${x}" y="${iy + ih + 13}" font-size="${PREVIEW_FONT}" fill="${pv.stale ? '#9ca3af' : '#1f2937'}">${escapeXml(pv.stats)}</text>`
  );
  if (pv.stale) {
    const bw = 42;
    const bx = W - CARD.padX - bw;
    parts.push(`<rect x="${bx}" y="${y0 + 4}" width="${bw}" height="14" rx="7" fill="${STALE_COLOR}"/>`);
    parts.push(
      `<text x="${bx + bw / 2}" y="${y0 + 14}" text-anchor="middle" font-size="9" font-weight="700" letter-spacing="0.6" fill="#ffffff">STALE</text>`
    );
  }
  parts.push('</g>');
  return parts.join('');
}

/** A port dot: filled when a wire is attached, a ring otherwise. */
export function portDot(x: number, y: number, color: string, filled: boolean): string {
  return filled
    ? `<circle cx="${x}" cy="${y}" r="${CARD.dotRadius}" fill="${color}" stroke="#ffffff" stroke-width="1.5"/>`
    : `<circle cx="${x}" cy="${y}" r="${CARD.dotRadius - 0.75}" fill="#ffffff" stroke="${color}" stroke-width="2"/>`;
}

/** A data URI for an SVG string, usable as a cytoscape background-image. */
export function svgDataUri(svg: string): string {
  return 'data:image/svg+xml;utf8,' + encodeURIComponent(svg);
}
