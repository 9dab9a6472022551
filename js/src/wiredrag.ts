/**
 * Drawing a wire with the mouse: press on a port dot, drag (a dashed curve
 * follows the pointer and compatible ports light up), release on a port or a
 * card. Also the hover tooltip of ports and of cards with errors.
 */

import { pendingNote } from './format';
import { CanvasAdapter } from './canvas';
import { CardLayer } from './cardlayer';
import { tint, typeColor, typeShortName } from './colors';
import { CARD } from './geometry';
import { Reply, Request } from './protocol';
import { Point } from './types';
import { compatiblePorts, connectRequest, DragStart, dropPort } from './wiring';

interface Drag extends DragStart {
  /** Model coordinates of the port and of the pointer. */
  start: Point;
  pointer: Point;
}

export interface WireDragHost {
  readonly canvas: CanvasAdapter;
  readonly layer: CardLayer;
  /** The element over the canvas that shows the dragged wire (SVG). */
  readonly overlay: SVGSVGElement;
  /** The canvas wrapper (gets the 'nnc-wiring' class while dragging). */
  readonly wrap: HTMLElement;
  request(req: Request): Promise<Reply>;
  status(msg: string, kind: 'ok' | 'info' | 'error'): void;
  error(msg: string): void;
  hideTooltip(): void;
  /** A wire was dropped on empty canvas at a model point (offer cards to connect). */
  droppedOnCanvas(drag: DragStart, at: Point): void;
}

export class WireDragger {
  private drag: Drag | null = null;

  constructor(private host: WireDragHost) {}

  get active(): boolean {
    return this.drag !== null;
  }

  /** Port dots grow a little when zoomed out so they stay easy to hit. */
  hitRadius(): number {
    return CARD.hitRadius / Math.min(1, this.host.canvas.cy!.zoom());
  }

  /** Mouse down on the canvas (capture phase): start a drag when it is on a port dot. */
  onMouseDown(ev: MouseEvent): void {
    const { canvas, layer } = this.host;
    const p = canvas.modelPoint(ev.clientX, ev.clientY);
    const at = layer.portAt(p, this.hitRadius());
    if (!at) {
      return;
    }
    ev.preventDefault();
    ev.stopPropagation();
    const start = layer.portPoint(at.e.uid, at.hit.side, at.hit.name)!;
    this.drag = { uid: at.e.uid, side: at.hit.side, name: at.hit.name, type: at.hit.type, start, pointer: p };
    this.host.hideTooltip();
    this.host.wrap.classList.add('nnc-wiring');
    const move = (e: MouseEvent): void => {
      if (!this.drag) {
        return;
      }
      e.preventDefault();
      this.drag.pointer = canvas.modelPoint(e.clientX, e.clientY);
      this.draw();
    };
    const up = (e: MouseEvent): void => {
      window.removeEventListener('mousemove', move, true);
      window.removeEventListener('mouseup', up, true);
      const drag = this.drag;
      this.drag = null;
      this.host.wrap.classList.remove('nnc-wiring');
      this.host.overlay.innerHTML = '';
      if (drag) {
        e.preventDefault();
        e.stopPropagation();
        this.finish(drag, canvas.modelPoint(e.clientX, e.clientY));
      }
    };
    window.addEventListener('mousemove', move, true);
    window.addEventListener('mouseup', up, true);
    this.draw();
  }

  private draw(): void {
    const d = this.drag;
    if (!d) {
      return;
    }
    const { canvas, layer } = this.host;
    const a = canvas.renderedPoint(d.start);
    const b = canvas.renderedPoint(d.pointer);
    const color = typeColor(d.type);
    const dx = Math.max(40, Math.abs(b.x - a.x) / 2) * (d.side === 'output' ? 1 : -1);
    const parts: string[] = [];
    for (const c of compatiblePorts(layer.cards.values(), d, layer.connected)) {
      const p = layer.portPoint(c.uid, c.side, c.name);
      if (!p) {
        continue;
      }
      const q = canvas.renderedPoint(p);
      parts.push(
        `<circle cx="${q.x}" cy="${q.y}" r="9" fill="${tint(color, 0.75)}" fill-opacity="0.55" stroke="${color}" stroke-width="1.5"/>`
      );
    }
    parts.push(
      `<path d="M${a.x},${a.y} C${a.x + dx},${a.y} ${b.x - dx},${b.y} ${b.x},${b.y}" fill="none" stroke="${color}" stroke-width="2.5" stroke-dasharray="6 4" stroke-linecap="round"/>`
    );
    parts.push(`<circle cx="${b.x}" cy="${b.y}" r="4" fill="${color}"/>`);
    this.host.overlay.innerHTML = parts.join('');
  }

  private finish(drag: Drag, p: Point): void {
    const r = this.hitRadius() * 1.4;
    const at = this.host.layer.cardAt(p, r);
    if (!at) {
      const moved = Math.hypot(p.x - drag.start.x, p.y - drag.start.y) * this.host.canvas.cy!.zoom();
      if (moved > 30) {
        this.host.droppedOnCanvas({ uid: drag.uid, side: drag.side, name: drag.name, type: drag.type }, p);
      }
      return;
    }
    if (at.e.uid === drag.uid) {
      this.host.status('A card cannot be wired to itself.', 'info');
      return;
    }
    const taken = this.host.layer.connected.get(at.e.uid);
    const port = dropPort(at.e.geom, at.local, drag, r, name => !!taken && taken.has('in:' + name));
    this.host.request(connectRequest(drag, at.e.uid, port)).then(reply => {
      if (reply.ok) {
        this.host.status('Connected.', 'ok');
      } else {
        this.host.error(reply.error || 'The kernel refused this wire');
      }
    });
  }
}

/** What the pointer is over: a port (its label, type and help) or a card with an error. */
export function hoverText(
  layer: CardLayer,
  p: Point,
  radius: number
): { text: string; help?: string; error: boolean; port: boolean } | null {
  const port = layer.portAt(p, radius);
  if (port) {
    const spec = port.e.spec;
    const inp = spec?.inputs.find(i => i.name === port.hit.name);
    const outp = spec?.outputs.find(o => o.name === port.hit.name);
    const label = (port.hit.side === 'input' ? inp?.label : outp?.label) || port.hit.name;
    return { text: `${label} · ${typeShortName(port.hit.type)}`, help: (inp || outp)?.help, error: false, port: true };
  }
  const at = layer.cardAt(p);
  const err = at && at.e.model.get('error');
  if (at && err) {
    // a new card's 'not connected yet' / 'needs a value' is a neutral note, not a red error
    return { text: `${at.e.model.get('name')}: ${err}`, error: pendingNote(err) === null, port: false };
  }
  return null;
}
