/**
 * The cytoscape canvas: the core with its style, the card-face cache, and
 * conversions between page, rendered and model coordinates.
 */

import cytoscape from 'cytoscape';

import { DARK_FACE } from './cardsvg';
import { BoxOf, Culler } from './culling';
import { FaceCache } from './facecache';
import { LOD_BANDS, LOD_MIN_FONT } from './lod';
import { Point } from './types';

let canvasCount = 0;

/**
 * Far-out cards (lod.ts): a box in the kind's colour, its name (and kind) in
 * text of at least LOD_MIN_FONT screen pixels, borders thick enough to see
 * (model pixels scale with the band): the kind's colour, a double border in
 * the shared layer's colour, red for an error, blue when selected. (Marks are
 * node data, not classes: cytoscape 3.21.0, which ipycytoscape brings, matches
 * no selector of two classes.)
 */
function farStyle(dark: boolean): any[] {
  const rules: any[] = [
    {
      selector: 'node.nnc-far',
      style: {
        'background-image': 'none',
        'background-color': dark ? 'data(farDark)' : 'data(tint)',
        'border-color': 'data(kind)',
        label: '',
        'text-wrap': 'wrap',
        'text-valign': 'center',
        'text-halign': 'center',
        'font-weight': 'bold',
        'line-height': 1.15,
        'font-family': 'Helvetica, Arial, sans-serif',
        color: dark ? '#f1f4f8' : '#1b2330',
        'min-zoomed-font-size': LOD_MIN_FONT
      }
    }
  ];
  LOD_BANDS.forEach((band, i) => {
    const border = band.border;
    const style: Record<string, unknown> = { 'border-width': border };
    if (band.font) {
      style.label = band.label === 'name-kind' ? 'data(farLabel)' : 'data(name)';
      // a name alone (no spaces) may break anywhere; "name\nKind layer" breaks between words
      style['text-overflow-wrap'] = band.label === 'name' ? 'anywhere' : 'whitespace';
      style['font-size'] = band.font;
      style['text-max-width'] = 'data(farTextWidth)';
    }
    rules.push({ selector: `node.nnc-lod${i + 1}`, style });
    rules.push({
      selector: `node.nnc-lod${i + 1}[?isShared]`,
      style: { 'border-width': border * 2, 'border-style': 'double', 'border-color': 'data(shared)' }
    });
    rules.push({
      selector: `node.nnc-lod${i + 1}[?hasError]`,
      style: {
        'border-width': border * 1.5,
        'border-style': 'solid',
        'border-color': '#d32f2f',
        'background-color': dark ? '#5a2a2a' : '#f9d4d4'
      }
    });
    rules.push({
      selector: `node.nnc-lod${i + 1}:selected`,
      style: { 'border-width': border * 1.5, 'border-style': 'solid', 'border-color': '#2563eb' }
    });
  });
  return rules;
}

/** Cytoscape style of cards (image faces, or titled boxes far out) and wires, light or dark. */
export function canvasStyle(dark = false): any[] {
  const face = dark ? DARK_FACE : '#ffffff';
  const border = dark ? '#4a5263' : '#c3cad5';
  const text = dark ? '#e3e8f0' : '#1f3f75';
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 'data(h)',
        'background-color': face,
        'background-image': 'data(face)',
        'background-fit': 'contain',
        'background-clip': 'node',
        'border-width': 1,
        'border-color': border,
        'overlay-opacity': 0,
        'z-index-compare': 'manual',
        'z-index': 1,
        label: ''
      }
    },
    { selector: 'node.nnc-stale', style: { 'border-width': 2, 'border-color': '#d97706', 'border-style': 'dashed' } },
    { selector: 'node.nnc-error', style: { 'border-width': 2.5, 'border-color': '#d32f2f', 'border-style': 'solid' } },
    { selector: 'node:selected', style: { 'border-width': 2.5, 'border-color': '#2563eb' } },
    { selector: 'node.nnc-error:selected', style: { 'border-width': 3.5, 'border-color': '#b71c1c' } },
    ...farStyle(dark),
    {
      selector: 'edge',
      style: {
        width: 2.5,
        'line-color': 'data(color)',
        'line-cap': 'round',
        // node-editor wires: drawn above the cards, leaving and entering the port dots sideways
        'z-index-compare': 'manual',
        'z-index': 2,
        'curve-style': 'unbundled-bezier',
        'edge-distances': 'node-position',
        'control-point-weights': 'data(cpw)',
        'control-point-distances': 'data(cpd)',
        'source-endpoint': 'data(sep)',
        'target-endpoint': 'data(tep)',
        // the tensor shape shows when the wire is hovered or selected
        label: '',
        'font-size': 11,
        'font-family': 'Helvetica, Arial, sans-serif',
        color: text,
        'text-background-color': face,
        'text-background-opacity': 0.95,
        'text-background-padding': '2px',
        'text-background-shape': 'roundrectangle',
        'text-border-color': border,
        'text-border-width': 1,
        'text-border-opacity': 1,
        'text-events': 'no',
        'overlay-padding': 5,
        'overlay-opacity': 0
      }
    },
    { selector: 'edge.nnc-hover[shape], edge:selected[shape]', style: { label: 'data(shape)' } },
    {
      selector: 'edge:selected',
      style: { width: 4.5, 'overlay-color': '#2563eb', 'overlay-opacity': 0.15 }
    },
    {
      selector: 'edge.nnc-hover',
      style: { width: 4.5, 'overlay-color': 'data(color)', 'overlay-opacity': 0.18, 'overlay-padding': 4 }
    },
    ...farWireStyle()
  ];
}

/**
 * Far-out wires (lod.ts): straight lines between the cards' centres, under the
 * boxes (cytoscape's 'haystack' edges: no curve or port ends to work out, the
 * cheapest edge to draw), about 1-2.5 screen pixels wide per band.
 */
function farWireStyle(): any[] {
  const rules: any[] = [
    {
      selector: 'edge.nnc-far',
      style: { 'curve-style': 'haystack', 'haystack-radius': 0, 'z-index': 0, 'line-cap': 'butt' }
    }
  ];
  LOD_BANDS.forEach((band, i) => {
    rules.push({ selector: `edge.nnc-lod${i + 1}`, style: { width: band.wire } });
    rules.push({ selector: `edge.nnc-lod${i + 1}:selected`, style: { width: band.wire * 2 } });
  });
  return rules;
}

export class CanvasAdapter {
  cy: cytoscape.Core | null = null;
  faces: FaceCache | null = null;
  /** Draws only what can be on screen (null on cytoscape versions it was not checked with). */
  culler: Culler | null = null;
  /** The box of a card or wire by element id, for culling (set by the card layer). */
  boxOf: BoxOf = () => null;
  private id = ++canvasCount;

  /** @param container the element cytoscape draws into */
  constructor(readonly container: HTMLElement) {}

  /** Create the cytoscape core (once). */
  create(): cytoscape.Core {
    if (this.cy) {
      return this.cy;
    }
    const cy = cytoscape({
      container: this.container,
      style: canvasStyle() as any,
      elements: [],
      minZoom: 0.08,
      maxZoom: 3,
      boxSelectionEnabled: true,
      selectionType: 'single',
      autounselectify: false,
      autoungrabify: false
    });
    this.cy = cy;
    this.faces = new FaceCache((cy as any).renderer(), (cytoscape as any).version, String(this.id));
    const culler = new Culler(cy, (id, isNode) => this.boxOf(id, isNode));
    this.culler = culler.install((cytoscape as any).version) ? culler : null;
    return cy;
  }

  /** Restyle cards and wires for a light or dark theme. */
  setTheme(dark: boolean): void {
    if (this.cy) {
      this.cy.style(canvasStyle(dark) as any);
    }
  }

  get alive(): boolean {
    return !!this.cy && !this.cy.destroyed();
  }

  destroy(): void {
    if (this.faces) {
      this.faces.dispose();
    }
    if (this.cy) {
      this.cy.destroy();
    }
  }

  /** Client (page) coordinates -> model coordinates. */
  modelPoint(clientX: number, clientY: number): Point {
    const r = this.container.getBoundingClientRect();
    const pan = this.cy!.pan();
    const z = this.cy!.zoom();
    return { x: (clientX - r.left - pan.x) / z, y: (clientY - r.top - pan.y) / z };
  }

  /** Model coordinates -> client (page) coordinates. */
  clientPoint(p: Point): Point {
    const r = this.container.getBoundingClientRect();
    const pan = this.cy!.pan();
    const z = this.cy!.zoom();
    return { x: r.left + pan.x + p.x * z, y: r.top + pan.y + p.y * z };
  }

  /** Model coordinates -> rendered coordinates (relative to the canvas). */
  renderedPoint(p: Point): Point {
    const pan = this.cy!.pan();
    const z = this.cy!.zoom();
    return { x: p.x * z + pan.x, y: p.y * z + pan.y };
  }
}
