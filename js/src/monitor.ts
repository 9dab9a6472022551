/**
 * The training monitor as the view shows it (Python: nncards_widget/monitor.py,
 * `callbacks=[ed.monitor()]`): a panel under the canvas with a progress bar and
 * one chart per loss / metric (per batch and per epoch, train and validation),
 * from the editor's synced `training_state`; on each card with weights a colour
 * cue (learning / stalled / dead / exploding) with two sparklines, and in the
 * inspector the statistics, their series and the rule, from the card's
 * `training`. Chart and sparkline geometry is pure (no DOM) and exported.
 */

import { h } from './dom';
import { formatStat } from './format';

/** `training_state` of the editor (see docs/protocol.md). */
export interface TrainingState {
  status: 'training' | 'done' | 'stopped' | 'interrupted';
  epoch: number;
  epochs: number | null;
  step: number;
  steps: number | null;
  elapsed: number | null;
  eta: number | null;
  metrics: string[];
  /** Per batch: `x` in epochs (epoch + step / steps) and one series per log key. */
  batch: Record<string, (number | null)[]>;
  /** Per epoch: `x` = epoch number (1-based) and one series per log key. */
  epoch_log: Record<string, (number | null)[]>;
  cards: number;
  probe: boolean;
  warning: string;
  rules: [string, string][];
}

/** `training` of a card. */
export interface CardTraining {
  state: 'learning' | 'stalled' | 'dead' | 'exploding';
  reason: string;
  rule: string;
  weight_norm: number | null;
  update_ratio: number | null;
  zeros: number | null;
  mean: number | null;
  std: number | null;
  series: Record<string, (number | null)[]>;
}

export const STATE_COLORS: Record<string, string> = {
  learning: '#15803d',
  stalled: '#b45309',
  dead: '#6b7280',
  exploding: '#c026d3'
};

export function hasTraining(t: unknown): t is CardTraining {
  return !!t && typeof t === 'object' && typeof (t as CardTraining).state === 'string';
}

// ------------------------------------------------------------------ pure geometry

/** SVG path through the finite points of (xs, ys) scaled into the box; gaps break the line. */
export function linePath(
  xs: (number | null)[],
  ys: (number | null)[],
  box: { x0: number; x1: number; y0: number; y1: number; w: number; h: number; left?: number; top?: number }
): string {
  const left = box.left ?? 0;
  const top = box.top ?? 0;
  const sx = box.x1 > box.x0 ? box.w / (box.x1 - box.x0) : 0;
  const sy = box.y1 > box.y0 ? box.h / (box.y1 - box.y0) : 0;
  let d = '';
  let pen = false;
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i];
    const y = ys[i];
    if (x === null || y === null || !isFinite(x) || !isFinite(y)) {
      pen = false;
      continue;
    }
    const px = left + (sx ? (x - box.x0) * sx : box.w / 2);
    const py = top + box.h - (sy ? (y - box.y0) * sy : box.h / 2);
    d += `${pen ? 'L' : 'M'}${px.toFixed(1)} ${py.toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Min and max of the finite values of several series (a flat range is widened). */
export function valueRange(...series: (number | null)[][]): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (const v of s) {
      if (v !== null && isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (lo > hi) {
    return null;
  }
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 0.5;
    return [lo - pad, hi + pad];
  }
  return [lo, hi];
}

/** A sparkline path of one series in a w x h box at (left, top); log10 for ratios. */
export function sparkPath(values: (number | null)[], w: number, hgt: number, left = 0, top = 0, log = false): string {
  const ys = values.map(v => (v === null || !isFinite(v) ? null : log ? (v > 0 ? Math.log10(v) : null) : v));
  const range = valueRange(ys);
  if (!range) {
    return '';
  }
  const xs = ys.map((_, i) => i);
  return linePath(xs, ys, { x0: 0, x1: Math.max(1, ys.length - 1), y0: range[0], y1: range[1], w, h: hgt, left, top });
}

/** "1 min 05 s", "12 s", "0.4 s". */
export function formatSeconds(s: number | null): string {
  if (s === null || !isFinite(s)) {
    return '–';
  }
  if (s < 10) {
    return `${s.toFixed(1)} s`;
  }
  if (s < 60) {
    return `${Math.round(s)} s`;
  }
  const m = Math.floor(s / 60);
  const r = Math.round(s - 60 * m);
  return `${m} min ${String(r).padStart(2, '0')} s`;
}

const STATUS_TEXT: Record<TrainingState['status'], string> = {
  training: 'Training',
  done: 'Done',
  stopped: 'Stopped',
  interrupted: 'Interrupted' // fit ended by an error or Ctrl+C (the kernel saw no end of it)
};

/** The panel's progress line and the done share (0..1; an interrupted fit keeps its own). */
export function progressOf(st: TrainingState): { text: string; done: number } {
  const epochs = st.epochs || 0;
  const steps = st.steps || 0;
  let done = 0;
  if (st.status !== 'training' && st.status !== 'interrupted') {
    done = 1;
  } else if (epochs) {
    done = Math.min(1, (st.epoch - 1 + (steps ? st.step / steps : 0)) / epochs);
  }
  const parts = [
    STATUS_TEXT[st.status] || 'Done',
    `epoch ${st.epoch}${epochs ? '/' + epochs : ''}`,
    `step ${st.step}${steps ? '/' + steps : ''}`,
    `${formatSeconds(st.elapsed)} elapsed`
  ];
  if (st.status === 'training') {
    parts.push(`ETA ${formatSeconds(st.eta)}`);
  }
  return { text: parts.join(' · '), done };
}

// ------------------------------------------------------------------ the panel

const CHART_W = 260;
const CHART_H = 110;
const PAD = { left: 40, right: 8, top: 8, bottom: 18 };
const TRAIN = '#2563eb';
const VAL = '#ea580c';

function svgEl(markup: string, w: number, hgt: number, attrs: Record<string, string> = {}): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(hgt));
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  for (const [k, v] of Object.entries(attrs)) {
    svg.setAttribute(k, v);
  }
  svg.innerHTML = markup;
  return svg;
}

/** [start, end) index ranges of the batch points of each epoch (x = epoch + step / steps). */
export function epochRuns(xs: (number | null)[]): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  const epochOf = (x: number | null): number => (x === null ? -1 : Math.ceil(x - 1e-9) - 1);
  for (let i = 1; i <= xs.length; i++) {
    if (i === xs.length || epochOf(xs[i]) !== epochOf(xs[i - 1])) {
      runs.push([start, i]);
      start = i;
    }
  }
  return xs.length ? runs : [];
}

/** SVG markup of one metric's chart: batch line, epoch line with dots, validation line. */
export function chartMarkup(st: TrainingState, metric: string): string {
  const bx = st.batch.x || [];
  const by = st.batch[metric] || [];
  const ex = st.epoch_log.x || [];
  const ey = st.epoch_log[metric] || [];
  const vy = st.epoch_log['val_' + metric] || [];
  const range = valueRange(by, ey, vy);
  const x1 = Math.max(st.epochs || 0, ...ex.map(v => v || 0), ...bx.map(v => v || 0), 1);
  const w = CHART_W - PAD.left - PAD.right;
  const hh = CHART_H - PAD.top - PAD.bottom;
  const parts: string[] = [];
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${w}" height="${hh}" fill="#ffffff" stroke="#e3e7ed"/>`);
  if (!range) {
    return parts.join('');
  }
  const box = { x0: 0, x1, y0: range[0], y1: range[1], w, h: hh, left: PAD.left, top: PAD.top };
  parts.push(
    `<text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end">${formatStat(range[1])}</text>`,
    `<text x="${PAD.left - 4}" y="${PAD.top + hh}" text-anchor="end">${formatStat(range[0])}</text>`,
    `<text x="${PAD.left}" y="${CHART_H - 4}">0</text>`,
    `<text x="${PAD.left + w}" y="${CHART_H - 4}" text-anchor="end">epoch ${x1}</text>`
  );
  // Keras' batch values are running means that start again with each epoch: one line per epoch
  const batchPath = epochRuns(bx)
    .map(([a, b]) => linePath(bx.slice(a, b), by.slice(a, b), box))
    .join('');
  if (batchPath) {
    parts.push(
      `<path class="nnc-series-batch" d="${batchPath}" fill="none" stroke="${TRAIN}" stroke-opacity="0.35" stroke-width="1"/>`
    );
  }
  for (const [ys, color, dash, cls] of [
    [ey, TRAIN, '', 'nnc-series-epoch'],
    [vy, VAL, ' stroke-dasharray="4 3"', 'nnc-series-val']
  ] as [(number | null)[], string, string, string][]) {
    const d = linePath(ex, ys, box);
    if (!d) {
      continue;
    }
    parts.push(`<path class="${cls}" d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${dash}/>`);
    // a dot on the last epoch of each line
    const last = d.split(/[ML]/).filter(Boolean).pop()!.split(' ');
    parts.push(`<circle cx="${last[0]}" cy="${last[1]}" r="2.5" fill="${color}"/>`);
  }
  return parts.join('');
}

/**
 * The training panel, placed under the canvas by the editor view: hidden until
 * a monitored fit begins, then redrawn on every `training_state` change (the
 * kernel throttles them to a few per second).
 */
export function trainingPanel(view: {
  model: any;
  listenTo: (obj: any, ev: string, cb: () => void) => void;
}): HTMLElement {
  const title = h('div', { class: 'nnc-train-progress-text', 'data-testid': 'nncards-training-progress' });
  const fill = h('div', { class: 'nnc-train-bar-fill' });
  const bar = h('div', { class: 'nnc-train-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
  const toggle = h('button', { class: 'nnc-train-toggle', type: 'button', title: 'Hide the charts', text: '▾' });
  const charts = h('div', { class: 'nnc-train-charts' });
  const note = h('div', { class: 'nnc-train-note' });
  const rules = h('details', { class: 'nnc-train-rules' });
  const panel = h(
    'div',
    { class: 'nnc-train', 'data-testid': 'nncards-training-panel' },
    h('div', { class: 'nnc-train-head' }, toggle, title, bar),
    charts,
    note,
    rules
  );
  toggle.addEventListener('click', () => {
    const collapsed = panel.classList.toggle('nnc-train-collapsed');
    toggle.textContent = collapsed ? '▸' : '▾';
    toggle.title = collapsed ? 'Show the charts' : 'Hide the charts';
  });
  const render = (): void => {
    const st: TrainingState | undefined = view.model.get('training_state');
    if (!st || !st.status) {
      panel.style.display = 'none';
      return;
    }
    panel.style.display = '';
    panel.setAttribute('data-status', st.status);
    const p = progressOf(st);
    title.textContent = p.text;
    fill.style.width = `${(100 * p.done).toFixed(1)}%`;
    bar.setAttribute('aria-valuenow', String(Math.round(100 * p.done)));
    charts.innerHTML = '';
    for (const metric of st.metrics) {
      charts.appendChild(
        h(
          'div',
          { class: 'nnc-train-chart', 'data-testid': 'nncards-training-chart', 'data-metric': metric },
          h(
            'div',
            { class: 'nnc-train-chart-title' },
            h('b', { text: metric }),
            h('span', { class: 'nnc-key nnc-key-batch', text: 'batch' }),
            h('span', { class: 'nnc-key nnc-key-train', text: 'epoch' }),
            h('span', { class: 'nnc-key nnc-key-val', text: 'validation' })
          ),
          svgEl(chartMarkup(st, metric), CHART_W, CHART_H, { class: 'nnc-train-svg' })
        )
      );
    }
    const notes: string[] = [];
    if (st.cards) {
      notes.push(
        `${st.cards} card${st.cards === 1 ? '' : 's'} with weights show their state` +
          (st.probe ? '.' : ' (weights only: pass probe=x[:64] to ed.monitor() to see their outputs).')
      );
    }
    if (st.warning) {
      notes.push(st.warning);
    }
    note.textContent = notes.join(' ');
    rules.innerHTML = '';
    rules.appendChild(h('summary', { text: 'Card states: the rules' }));
    for (const [state, rule] of st.rules || []) {
      rules.appendChild(
        h(
          'div',
          { class: 'nnc-train-rule' },
          h('span', { class: 'nnc-train-state', style: `--c:${STATE_COLORS[state] || '#555'}`, text: state }),
          ` ${rule}`
        )
      );
    }
  };
  view.listenTo(view.model, 'change:training_state', render);
  render();
  return panel;
}

// ------------------------------------------------------------------ the card face

const SPARK_W = 40;
const SPARK_H = 11;

/** SVG markup drawn over a card face: a state-coloured frame, a state pill and two sparklines. */
export function trainingMarks(width: number, height: number, training: unknown): string {
  if (!hasTraining(training)) {
    return '';
  }
  const color = STATE_COLORS[training.state] || '#555';
  const s = training.series || {};
  const parts: string[] = [];
  parts.push(
    `<rect x="1.25" y="1.25" width="${width - 2.5}" height="${height - 2.5}" fill="none" stroke="${color}" stroke-width="2.5"/>`
  );
  const label = training.state.toUpperCase();
  const pw = label.length * 6 + 12;
  const px = width - 8 - pw;
  parts.push(`<rect x="${px}" y="6" width="${pw}" height="13" rx="6.5" fill="${color}"/>`);
  parts.push(
    `<text x="${px + pw / 2}" y="15.5" text-anchor="middle" font-size="8.5" font-weight="700" letter-spacing="0.5" fill="#ffffff">${label}</text>`
  );
  // weight norm and (when there is a probe) share of zeros, latest on the right
  const lines: [(number | null)[], string, boolean][] = [[s.weight_norm || [], '#1f4f99', false]];
  if ((s.zeros || []).some(v => v !== null)) {
    lines.push([s.zeros || [], '#6b7280', false]);
  }
  let right = width - 8;
  for (const [values, stroke, log] of lines.reverse()) {
    const left = right - SPARK_W;
    const d = sparkPath(values, SPARK_W, SPARK_H, left, 23, log);
    parts.push(
      `<rect x="${left - 1}" y="22" width="${SPARK_W + 2}" height="${SPARK_H + 2}" fill="#ffffff" fill-opacity="0.85"/>`
    );
    if (d) {
      parts.push(`<path d="${d}" fill="none" stroke="${stroke}" stroke-width="1.2"/>`);
    }
    right = left - 6;
  }
  return `<g class="nnc-training nnc-training-${training.state}">${parts.join('')}</g>`;
}

// ------------------------------------------------------------------ the inspector

const STAT_ROWS: [keyof CardTraining, string, boolean][] = [
  ['weight_norm', 'Weight norm', false],
  ['update_ratio', 'Update / weight', true],
  ['zeros', 'Zeros in output', false],
  ['mean', 'Output mean', false],
  ['std', 'Output std', false]
];

/** The inspector's block for a card with training statistics, or null. */
export function trainingBlock(card: any): HTMLElement | null {
  const t = card.get('training');
  if (!hasTraining(t)) {
    return null;
  }
  const color = STATE_COLORS[t.state] || '#555';
  const table = h('div', { class: 'nnc-stats nnc-train-stats' });
  for (const [key, label, log] of STAT_ROWS) {
    const v = t[key] as number | null;
    const spark = svgEl(
      `<path d="${sparkPath(t.series?.[key] || [], 70, 14, 0, 1, log)}" fill="none" stroke="${color}" stroke-width="1.2"/>`,
      70,
      16
    );
    table.appendChild(
      h(
        'div',
        { class: 'nnc-train-stat' },
        h('span', { class: 'nnc-fact-k', text: label }),
        h('code', {
          text: v === null || v === undefined ? '–' : key === 'zeros' ? `${(100 * v).toFixed(1)}%` : formatStat(v)
        }),
        spark
      )
    );
  }
  return h(
    'div',
    { class: 'nnc-insp-training', 'data-testid': 'nncards-training' },
    h(
      'div',
      { class: 'nnc-insp-section' },
      'Training ',
      h('span', {
        class: 'nnc-train-state',
        style: `--c:${color}`,
        'data-testid': 'nncards-training-state',
        text: t.state
      })
    ),
    h('div', { class: 'nnc-train-reason', text: t.reason }),
    h('div', { class: 'nnc-train-rule-text', text: `Rule for "${t.state}": ${t.rule}.` }),
    table
  );
}
