/**
 * The inspector's parameter fields: one control per parameter (checkbox,
 * choice list or text/number box, with a clear button for optional ones),
 * parsing what the user typed and showing why it cannot be a value.
 */

import { h, icon } from './dom';
import { valueToText } from './format';
import { parseParam, ParseResult } from './parse';
import { InputSpec, isList } from './types';

export type Control = HTMLInputElement | HTMLSelectElement;

export interface FieldHost {
  /** The parameter's current value on the card. */
  current(inp: InputSpec): unknown;
  /** Send a parsed value; `done(error)` reports the kernel's answer ('' when accepted). */
  commit(inp: InputSpec, value: unknown, done: (error: string) => void): void;
}

/** The name field that heads every card's parameters. */
export const NAME_INPUT: InputSpec = {
  label: 'Name',
  name: 'name',
  type: 'String',
  kind: 'param',
  help: 'The name of the card (the Keras layer name).'
};

/** Parse a field's raw value ("name" is any trimmed text; the kernel checks it). */
export function parseField(inp: InputSpec, raw: string | boolean | null): ParseResult {
  if (inp.name === 'name') {
    return { ok: true, value: typeof raw === 'string' ? raw.trim() : raw };
  }
  return parseParam(inp, raw);
}

export function setFieldError(control: HTMLElement, errEl: HTMLElement, msg: string): void {
  errEl.textContent = msg;
  control.classList.toggle('nnc-invalid', !!msg);
  control.setAttribute('aria-invalid', msg ? 'true' : 'false');
}

/** The input spec a control edits (for refreshing it in place). */
export function controlInput(control: Element): InputSpec | undefined {
  return (control as any).__nncInput;
}

/** Show a value in a control without touching what the user is typing elsewhere. */
export function showValue(control: Control, inp: InputSpec, v: unknown): void {
  if (control instanceof HTMLInputElement && control.type === 'checkbox') {
    control.checked = !!v;
  } else if (control instanceof HTMLSelectElement) {
    control.value = v === null || v === undefined ? '' : String(v);
  } else {
    control.value = valueToText(inp, v);
  }
}

let fieldCount = 0;

/** A labelled control for one parameter of card `uid`. */
export function paramField(uid: string, inp: InputSpec, host: FieldHost): HTMLElement {
  const value = host.current(inp);
  const id = `nnc-${uid}-${inp.name}-${++fieldCount}`;
  const wrap = h('div', { class: 'nnc-field', 'data-param': inp.name });
  const label = h('label', { for: id, class: 'nnc-field-label', title: inp.help || '' }, inp.label);
  if (inp.help) {
    label.appendChild(h('span', { class: 'nnc-help', title: inp.help, text: '?' }));
  }
  const errEl = h('div', { class: 'nnc-field-error', 'data-testid': `nncards-param-error-${inp.name}` });
  let control: Control;
  const commit = (raw: string | boolean | null): void => {
    const parsed = parseField(inp, raw);
    if (!parsed.ok) {
      setFieldError(control, errEl, parsed.error);
      return;
    }
    if (JSON.stringify(host.current(inp)) === JSON.stringify(parsed.value)) {
      setFieldError(control, errEl, '');
      return;
    }
    // the value is valid here: clear an earlier message now, show the kernel's if it refuses
    setFieldError(control, errEl, '');
    host.commit(inp, parsed.value, error => setFieldError(control, errEl, error));
  };
  const row = h('div', { class: 'nnc-field-row' });
  if (inp.type === 'Boolean' && !isList(inp)) {
    const cb = h('input', { id, type: 'checkbox', class: 'nnc-check', 'data-testid': `nncards-param-${inp.name}` });
    cb.checked = !!value;
    cb.addEventListener('change', () => commit(cb.checked));
    control = cb;
    wrap.classList.add('nnc-field-bool');
  } else if (inp.choices && inp.choices.length && !isList(inp)) {
    const sel = h('select', { id, class: 'nnc-input', 'data-testid': `nncards-param-${inp.name}` });
    if (inp.optional || value === null || value === undefined) {
      sel.appendChild(h('option', { value: '', text: inp.optional ? '(none)' : '(choose)' }));
    }
    for (const c of inp.choices) {
      sel.appendChild(h('option', { value: String(c), text: String(c) }));
    }
    sel.value = value === null || value === undefined ? '' : String(value);
    sel.addEventListener('change', () => commit(sel.value === '' ? null : sel.value));
    control = sel;
  } else {
    const numeric = !isList(inp) && (inp.type === 'Integer' || inp.type === 'Float');
    const box = h('input', {
      id,
      class: 'nnc-input' + (numeric ? ' nnc-num' : ''),
      type: numeric ? 'number' : 'text',
      step: inp.type === 'Integer' ? '1' : 'any',
      min: numeric && typeof inp.minimum === 'number' ? inp.minimum : null,
      max: numeric && typeof inp.maximum === 'number' ? inp.maximum : null,
      placeholder: isList(inp) ? 'e.g. 13 or 20, 16' : inp.optional ? 'None' : '',
      spellcheck: 'false',
      'data-testid': `nncards-param-${inp.name}`
    });
    box.value = valueToText(inp, value);
    if (inp.type === 'Graph') {
      box.readOnly = true; // a nested model's inner graph: opened in Python with card.inner
      box.title = 'The inner graph: open it in Python with card.inner';
    }
    box.addEventListener('change', () => commit(box.value));
    box.addEventListener('keydown', ev => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        commit(box.value);
      } else if (ev.key === 'Escape') {
        box.value = valueToText(inp, host.current(inp));
        setFieldError(box, errEl, '');
        box.blur();
      }
    });
    control = box;
  }
  row.appendChild(control);
  if (inp.optional) {
    const clear = h('button', {
      class: 'nnc-clear',
      type: 'button',
      title: `Clear ${inp.label} (None)`,
      'aria-label': `Clear ${inp.label}`,
      'data-testid': `nncards-param-clear-${inp.name}`
    });
    clear.appendChild(icon('close'));
    clear.addEventListener('click', () => {
      if (control instanceof HTMLInputElement && control.type !== 'checkbox') {
        control.value = '';
      } else if (control instanceof HTMLSelectElement) {
        control.value = '';
      }
      commit(null);
    });
    row.appendChild(clear);
  }
  (control as any).__nncInput = inp;
  if (inp.type === 'Boolean') {
    wrap.appendChild(h('div', { class: 'nnc-field-row' }, control, label));
  } else {
    wrap.appendChild(label);
    wrap.appendChild(row);
  }
  wrap.appendChild(errEl);
  return wrap;
}
