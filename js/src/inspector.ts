/**
 * The inspector panel: the selected card's parameters, facts and preview, a
 * selected wire's route, a summary of a larger selection, or help and the
 * port-type legend when nothing is selected.
 */

import type cytoscape from 'cytoscape';

import { CardEntry, CardLayer, isStale } from './cardlayer';
import { categoryColor, sharedColor, typeColor, typeShortName } from './colors';
import { h } from './dom';
import { Control, controlInput, NAME_INPUT, paramField, showValue } from './fields';
import { formatCount, formatShape, formatShare, formatStat, hasPreview, pendingNote, PreviewData } from './format';
import { trainingBlock } from './monitor';
import { InputSpec, isParam, PORT_TYPES } from './types';

export interface InspectorHost {
  readonly cy: cytoscape.Core | null;
  readonly layer: CardLayer;
  deleteSelected(): void;
  /** Ask the kernel to set a parameter; resolves with the refusal ('' when accepted). */
  setParam(uid: string, inp: InputSpec, value: unknown): Promise<string>;
}

const PREVIEW_KIND: Record<string, string> = {
  histogram: 'Histogram of the values',
  heatmap: 'Heatmap: features × steps (first sample)',
  channels: 'Channel maps (first sample)'
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function portRow(label: string, type: string, dir: 'in' | 'out', wired: boolean): HTMLElement {
  return h(
    'div',
    { class: 'nnc-port-row' },
    h('span', { class: 'nnc-dot' + (wired ? '' : ' nnc-dot-hollow'), style: `--c:${typeColor(type)}` }),
    h('span', { class: 'nnc-port-label', text: label }),
    h('span', { class: 'nnc-port-type', text: `${dir} · ${typeShortName(type)}` })
  );
}

function currentValue(e: CardEntry, inp: InputSpec): unknown {
  return inp.name === 'name' ? e.model.get('name') : e.model.get(inp.name);
}

export class Inspector {
  readonly el: HTMLElement;
  /** The uid of the card shown, if one is. */
  private uid: string | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private host: InspectorHost) {
    this.el = h('div', { class: 'nnc-inspector', 'data-testid': 'nncards-inspector' });
  }

  /** Render after the current event (selection events come in bursts). */
  schedule(after?: () => void): void {
    if (this.timer) {
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.render();
      if (after) {
        after();
      }
    }, 0);
  }

  render(): void {
    const box = this.el;
    const cy = this.host.cy;
    const sel = cy ? cy.$(':selected') : null;
    const nodes = sel ? sel.nodes() : null;
    const edges = sel ? sel.edges() : null;
    box.innerHTML = '';
    box.removeAttribute('data-uid');
    this.uid = null;
    if (nodes && edges && nodes.length === 1 && edges.length === 0) {
      const e = this.host.layer.byUid.get(nodes[0].id());
      if (e) {
        this.uid = e.uid;
        this.renderCard(e);
        return;
      }
    }
    if (nodes && edges && edges.length === 1 && nodes.length === 0) {
      this.renderWire(edges[0]);
      return;
    }
    if (sel && nodes && edges && sel.length > 1) {
      box.appendChild(h('div', { class: 'nnc-panel-title', text: 'Selection' }));
      box.appendChild(
        h('div', {
          class: 'nnc-insp-note',
          text: `${plural(nodes.length, 'card')} and ${plural(edges.length, 'wire')} selected.`
        })
      );
      const del = h('button', { class: 'nnc-btn nnc-btn-danger', type: 'button', text: 'Delete selection' });
      del.addEventListener('click', () => this.host.deleteSelected());
      box.appendChild(del);
      return;
    }
    box.appendChild(h('div', { class: 'nnc-panel-title', text: 'Inspector' }));
    box.appendChild(
      h(
        'div',
        { class: 'nnc-insp-help' },
        h('p', { text: 'Select a card to edit its parameters here.' }),
        h('p', {
          text: 'Drag from an output port (right) to an input port (left) to wire two cards; the wire’s colour shows its type.'
        }),
        h('p', {
          text: 'Shift-click or shift-drag to select several; Delete removes; Ctrl+Z / Ctrl+Shift+Z undo and redo.'
        })
      )
    );
    box.appendChild(this.legend());
  }

  private legend(): HTMLElement {
    return h(
      'div',
      { class: 'nnc-legend' },
      h('div', { class: 'nnc-insp-section', text: 'Port types' }),
      ...PORT_TYPES.map(t =>
        h(
          'div',
          { class: 'nnc-legend-row' },
          h('span', { class: 'nnc-dot', style: `background:${typeColor(t)}` }),
          typeShortName(t)
        )
      )
    );
  }

  private renderCard(e: CardEntry): void {
    const box = this.el;
    const m = e.model;
    const spec = e.spec;
    box.setAttribute('data-uid', e.uid);
    box.appendChild(
      h(
        'div',
        { class: 'nnc-insp-head' },
        h('span', { class: 'nnc-pal-swatch', style: `background:${categoryColor(spec?.category)}` }),
        h(
          'div',
          {},
          h('div', { class: 'nnc-insp-title', text: spec?.title || m.get('card_id') }),
          h('div', { class: 'nnc-insp-sub', text: [m.get('name'), spec?.keras_class].filter(Boolean).join(' · ') })
        )
      )
    );
    box.appendChild(this.statusBlock(e));
    const form = h('div', { class: 'nnc-form' });
    const fieldHost = {
      current: (inp: InputSpec) => currentValue(e, inp),
      commit: (inp: InputSpec, value: unknown, done: (error: string) => void) => {
        this.host.setParam(e.uid, inp, value).then(done);
      }
    };
    // The card's name first (Input/Output cards have it as their "Name" parameter).
    form.appendChild(paramField(e.uid, NAME_INPUT, fieldHost));
    if (spec) {
      for (const inp of spec.inputs) {
        if (isParam(inp) && inp.name !== 'name') {
          form.appendChild(paramField(e.uid, inp, fieldHost));
        }
      }
    }
    box.appendChild(h('div', { class: 'nnc-insp-section', text: 'Parameters' }));
    box.appendChild(form);
    this.markMissing(e);
    box.appendChild(this.portsBlock(e));
  }

  /** Error, output shape, parameter count and preview of a card (refreshed in place). */
  private statusBlock(e: CardEntry): HTMLElement {
    const m = e.model;
    const out = h('div', { class: 'nnc-insp-dynamic', 'data-block': 'status' });
    const err: string = m.get('error') || '';
    if (err && pendingNote(err) === null) {
      out.appendChild(h('div', { class: 'nnc-insp-error', 'data-testid': 'nncards-card-error', text: err }));
    } else if (err && !missingValue(err)) {
      // not wired yet (a new card): a neutral note, red is for real refusals
      out.appendChild(h('div', { class: 'nnc-insp-pending', 'data-testid': 'nncards-card-pending', text: err }));
    }
    const shape = formatShape(m.get('output_shape'));
    const pc = m.get('param_count');
    if (shape || typeof pc === 'number') {
      out.appendChild(
        h(
          'div',
          { class: 'nnc-insp-facts' },
          shape
            ? h(
                'div',
                {},
                h('span', { class: 'nnc-fact-k', text: 'Output shape' }),
                h('code', { 'data-testid': 'nncards-output-shape', text: shape })
              )
            : null,
          typeof pc === 'number'
            ? h(
                'div',
                {},
                h('span', { class: 'nnc-fact-k', text: 'Parameters' }),
                h('span', { 'data-testid': 'nncards-param-count', text: formatCount(pc) })
              )
            : null
        )
      );
    }
    const shared: string[] = m.get('shared_by') || [];
    if (shared.length) {
      const group = [String(m.get('name') || ''), ...shared];
      out.appendChild(
        h(
          'div',
          { class: 'nnc-insp-shared', 'data-testid': 'nncards-shared-with' },
          h('span', { class: 'nnc-shared-dot', style: `background:${sharedColor(group)}` }),
          `Shares weights with ${shared.map(n => `'${n}'`).join(', ')}`
        )
      );
    }
    const preview = m.get('preview');
    if (hasPreview(preview)) {
      out.appendChild(this.previewBlock(preview, isStale(m)));
    }
    const training = trainingBlock(m);
    if (training) {
      out.appendChild(training);
    }
    return out;
  }

  /** The large view of a card's inspection preview: picture and every statistic. */
  private previewBlock(pv: PreviewData, stale: boolean): HTMLElement {
    const box = h('div', {
      class: 'nnc-insp-preview' + (stale ? ' nnc-stale' : ''),
      'data-testid': 'nncards-preview',
      'data-stale': stale ? 'true' : 'false'
    });
    box.appendChild(
      h(
        'div',
        { class: 'nnc-insp-section nnc-preview-title' },
        h('span', { text: 'Output on the sample' }),
        stale ? h('span', { class: 'nnc-stale-badge', 'data-testid': 'nncards-preview-stale', text: 'Stale' }) : null
      )
    );
    const src = pv.image_large || pv.image;
    const kind = PREVIEW_KIND[pv.kind || ''] || '';
    if (src) {
      box.appendChild(
        h('img', {
          src,
          alt: kind || 'output preview',
          'data-testid': 'nncards-preview-image',
          'data-kind': pv.kind || ''
        })
      );
      box.appendChild(h('div', { class: 'nnc-insp-caption', text: kind }));
    }
    const rows: [string, string, string][] = [
      ['shape', 'Shape', formatShape(pv.shape || [])],
      ['dtype', 'Dtype', pv.dtype || ''],
      ['min', 'Min', formatStat(pv.min)],
      ['mean', 'Mean', formatStat(pv.mean)],
      ['max', 'Max', formatStat(pv.max)],
      ['std', 'Std', formatStat(pv.std)],
      ['zeros', 'Zeros', formatShare(pv.zeros)]
    ];
    const table = h('div', { class: 'nnc-stats', 'data-testid': 'nncards-preview-stats' });
    for (const [key, label, text] of rows) {
      const raw = (pv as any)[key];
      table.appendChild(
        h(
          'div',
          {
            class: 'nnc-stat',
            'data-stat': key,
            'data-value': raw === undefined || raw === null ? '' : JSON.stringify(raw)
          },
          h('span', { class: 'nnc-fact-k', text: label }),
          h('code', { text })
        )
      );
    }
    box.appendChild(table);
    if (stale) {
      box.appendChild(
        h('div', {
          class: 'nnc-insp-note nnc-stale-note',
          text: 'The graph changed since this preview was taken; run ed.inspect(sample) again to refresh it.'
        })
      );
    }
    return box;
  }

  private portsBlock(e: CardEntry): HTMLElement {
    const spec = e.spec;
    const out = h('div', { 'data-block': 'ports' });
    if (!spec) {
      return out;
    }
    const con = this.host.layer.connected.get(e.uid);
    const rows: HTMLElement[] = [];
    for (const p of spec.inputs.filter(i => !isParam(i))) {
      rows.push(portRow(p.label, p.type, 'in', !!con?.has('in:' + p.name)));
    }
    for (const p of spec.outputs) {
      rows.push(portRow(p.label, p.type, 'out', !!con?.has('out:' + p.name)));
    }
    if (rows.length) {
      out.appendChild(h('div', { class: 'nnc-insp-section', text: 'Ports' }));
      out.appendChild(h('div', { class: 'nnc-ports' }, ...rows));
    }
    return out;
  }

  private renderWire(edge: cytoscape.EdgeSingular): void {
    const box = this.el;
    const d = edge.data();
    const layer = this.host.layer;
    const src = layer.byUid.get(d.source);
    const tgt = layer.byUid.get(d.target);
    const outLabel = src?.spec?.outputs.find(o => o.name === d.source_port)?.label || d.source_port;
    const inLabel = tgt?.spec?.inputs.find(i => i.name === d.target_port)?.label || d.target_port;
    box.appendChild(
      h(
        'div',
        { class: 'nnc-insp-head' },
        h('span', { class: 'nnc-dot', style: `--c:${typeColor(d.port_type)}` }),
        h(
          'div',
          {},
          h('div', { class: 'nnc-insp-title', text: `${typeShortName(d.port_type || '')} wire` }),
          h('div', { class: 'nnc-insp-sub', text: d.id })
        )
      )
    );
    box.appendChild(
      h(
        'div',
        { class: 'nnc-wire-route', 'data-testid': 'nncards-wire-route' },
        h(
          'div',
          {},
          h('span', { class: 'nnc-fact-k', text: 'From ' }),
          `${src?.model.get('name') || d.source} · ${outLabel}`
        ),
        h(
          'div',
          {},
          h('span', { class: 'nnc-fact-k', text: 'To ' }),
          `${tgt?.model.get('name') || d.target} · ${inLabel}`
        ),
        d.shape ? h('div', {}, h('span', { class: 'nnc-fact-k', text: 'Shape ' }), h('code', { text: d.shape })) : null
      )
    );
    const del = h('button', {
      class: 'nnc-btn nnc-btn-danger',
      type: 'button',
      text: 'Delete wire',
      'data-testid': 'nncards-delete-wire'
    });
    del.addEventListener('click', () => this.host.deleteSelected());
    box.appendChild(del);
  }

  /** A required value not set yet (a new card): a neutral hint under its field, not an error. */
  private markMissing(e: CardEntry): void {
    const missing = missingValue(e.model.get('error') || '');
    for (const f of Array.from(this.el.querySelectorAll<HTMLElement>('.nnc-field[data-param]'))) {
      const name = f.dataset.param as string;
      const needed = missing !== null && missing.param === name;
      f.classList.toggle('nnc-field-missing', needed);
      f.querySelector('.nnc-field-hint')?.remove();
      if (needed) {
        f.appendChild(
          h('div', { class: 'nnc-field-hint', 'data-testid': `nncards-param-hint-${name}`, text: missing.hint })
        );
      }
    }
  }

  /** A card's values changed: refresh the panel if it shows that card. */
  cardChanged(uid: string): void {
    if (uid === this.uid) {
      this.refreshValues();
    }
  }

  /** Update the fields from the model, leaving a field the user is editing alone. */
  private refreshValues(): void {
    const e = this.uid ? this.host.layer.byUid.get(this.uid) : null;
    if (!e) {
      return;
    }
    const active = document.activeElement;
    const fields = Array.from(this.el.querySelectorAll('input, select')) as Control[];
    if (fields.some(f => f === active)) {
      // Refresh status and ports, and only the fields that are not being edited.
      this.el.querySelector('[data-block="status"]')?.replaceWith(this.statusBlock(e));
      this.el.querySelector('[data-block="ports"]')?.replaceWith(this.portsBlock(e));
      this.markMissing(e);
      for (const f of fields) {
        const inp = controlInput(f);
        if (!inp || f === active || f.classList.contains('nnc-invalid')) {
          continue;
        }
        showValue(f, inp, currentValue(e, inp));
      }
      return;
    }
    const scroll = this.el.scrollTop;
    this.render();
    this.el.scrollTop = scroll;
  }
}

/** The parameter a card's error says has no value yet, and what it takes (null for other errors). */
export function missingValue(error: string): { param: string; hint: string } | null {
  const m = /needs a value for parameter '[^']+' \(([^)]+)\)(?::\s*(.*?))?\.?$/.exec(error);
  return m ? { param: m[1], hint: m[2] ? `Needs a value: ${m[2]}.` : 'Needs a value.' } : null;
}
