/** Small DOM helpers for the editor's chrome (toolbar, palette, inspector). */

export type Attrs = Record<string, string | number | boolean | null | undefined>;

/** Create an element with attributes (class, data-*, ...) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) {
      continue;
    }
    if (k === 'class') {
      el.className = String(v);
    } else if (k === 'text') {
      el.textContent = String(v);
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** Inline SVG icons for toolbar buttons (16px, currentColor). */
export const ICONS: Record<string, string> = {
  undo: '<path d="M6 4L2.5 7.5 6 11" /><path d="M3 7.5h7a3.5 3.5 0 0 1 0 7H8" />',
  redo: '<path d="M10 4l3.5 3.5L10 11" /><path d="M13 7.5H6a3.5 3.5 0 0 0 0 7h2" />',
  trash: '<path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9" />',
  layout:
    '<rect x="1.5" y="2.5" width="4" height="3" rx=".6"/><rect x="1.5" y="10.5" width="4" height="3" rx=".6"/><rect x="10.5" y="6.5" width="4" height="3" rx=".6"/><path d="M5.5 4h2.5v4h2.5M5.5 12h2.5V8"/>',
  export: '<path d="M8 2v8M4.5 6.5L8 10l3.5-3.5" /><path d="M2.5 11v2.5h11V11" />',
  fit: '<path d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4" />',
  zoomIn: '<circle cx="7" cy="7" r="4.5"/><path d="M10.5 10.5L14 14M5 7h4M7 5v4"/>',
  zoomOut: '<circle cx="7" cy="7" r="4.5"/><path d="M10.5 10.5L14 14M5 7h4"/>',
  search: '<circle cx="7" cy="7" r="4.5"/><path d="M10.5 10.5L14 14"/>',
  close: '<path d="M4 4l8 8M12 4l-8 8"/>',
  sidebar: '<rect x="1.5" y="2.5" width="13" height="11" rx="1.5"/><path d="M6 2.5v11M3 5.5h1.5M3 8h1.5"/>',
  inspector: '<rect x="1.5" y="2.5" width="13" height="11" rx="1.5"/><path d="M10 2.5v11M11.5 5.5H13M11.5 8H13"/>',
  minimap:
    '<rect x="1.5" y="2.5" width="13" height="11" rx="1.5"/><rect x="7.5" y="7.5" width="5" height="4" rx=".5"/><path d="M4 5.5h2M4 8h1.5"/>'
};

export function icon(name: string): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.5');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.innerHTML = ICONS[name] || '';
  return svg;
}

/** True when a keyboard event comes from a text field (where keys belong to the field). */
export function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) {
    return false;
  }
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}
