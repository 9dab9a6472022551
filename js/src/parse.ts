/**
 * Turning what the user typed in the inspector into a parameter value, with a
 * reason when it cannot be one. The kernel validates again; this catches the
 * obvious mistakes without a round trip.
 */

import { InputSpec, isList } from './types';

export type ParseResult = { ok: true; value: unknown } | { ok: false; error: string };

const INT_RE = /^[+-]?\d+$/;

function bounds(input: InputSpec, v: number): string | null {
  if (typeof input.minimum === 'number' && v < input.minimum) {
    return `${input.label} must be at least ${input.minimum}`;
  }
  if (typeof input.maximum === 'number' && v > input.maximum) {
    return `${input.label} must be at most ${input.maximum}`;
  }
  return null;
}

function parseInteger(input: InputSpec, text: string): ParseResult {
  if (!INT_RE.test(text)) {
    return { ok: false, error: `${input.label}: "${text}" is not a whole number` };
  }
  const v = parseInt(text, 10);
  const b = bounds(input, v);
  return b ? { ok: false, error: b } : { ok: true, value: v };
}

function parseFloatValue(input: InputSpec, text: string): ParseResult {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) {
    return { ok: false, error: `${input.label}: "${text}" is not a number` };
  }
  const b = bounds(input, v);
  return b ? { ok: false, error: b } : { ok: true, value: v };
}

/**
 * Parse "13, 4", "[13, 4]", "(13,)" or "13 4" into a list of integers (the only
 * lists the catalogue has). A list of known length takes one number for all
 * (as Keras does for kernel_size=3) and must have that many otherwise.
 */
export function parseIntList(input: InputSpec, text: string): ParseResult {
  const inner = text
    .trim()
    .replace(/^[[(]/, '')
    .replace(/[\])]$/, '')
    .trim();
  if (inner === '') {
    return { ok: true, value: [] };
  }
  const parts = inner.split(/[\s,]+/).filter(p => p !== '');
  const out: number[] = [];
  for (const p of parts) {
    if (!INT_RE.test(p)) {
      return {
        ok: false,
        error: `${input.label}: "${p}" is not a whole number (write a list like 13, 4)`
      };
    }
    const v = parseInt(p, 10);
    const b = bounds(input, v);
    if (b) {
      return { ok: false, error: b };
    }
    out.push(v);
  }
  const n = input.length;
  if (n && out.length === 1 && n > 1) {
    return { ok: true, value: Array(n).fill(out[0]) };
  }
  if (n && out.length !== n) {
    return { ok: false, error: `${input.label} takes ${n} whole numbers; received ${out.length}` };
  }
  return { ok: true, value: out };
}

/** Parse the text (or checkbox state) of an inspector field for one parameter. */
export function parseParam(input: InputSpec, raw: string | boolean | null): ParseResult {
  if (raw === null) {
    if (input.optional) {
      return { ok: true, value: null };
    }
    return { ok: false, error: `${input.label} cannot be empty` };
  }
  if (typeof raw === 'boolean') {
    return { ok: true, value: raw };
  }
  const text = raw.trim();
  if (isList(input) && input.type !== 'String') {
    if (text === '' && input.optional) {
      return { ok: true, value: null };
    }
    return parseIntList(input, text);
  }
  if (text === '' && input.type !== 'String') {
    if (input.optional) {
      return { ok: true, value: null };
    }
    return { ok: false, error: `${input.label} needs a value` };
  }
  if (input.choices && input.choices.length) {
    const match = input.choices.find(c => String(c) === text);
    if (match === undefined) {
      if (input.optional && text === '') {
        return { ok: true, value: null };
      }
      return {
        ok: false,
        error: `${input.label} must be one of ${input.choices.map(c => String(c)).join(', ')}`
      };
    }
    return { ok: true, value: match };
  }
  switch (input.type) {
    case 'Integer':
      return parseInteger(input, text);
    case 'Float':
      return parseFloatValue(input, text);
    case 'Boolean': {
      const t = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(t)) {
        return { ok: true, value: true };
      }
      if (['false', '0', 'no', 'off'].includes(t)) {
        return { ok: true, value: false };
      }
      return { ok: false, error: `${input.label}: "${text}" is not true or false` };
    }
    default:
      if (text === '' && input.optional) {
        return { ok: true, value: null };
      }
      return { ok: true, value: raw };
  }
}
