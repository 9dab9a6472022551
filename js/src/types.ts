/**
 * Shapes of the data the kernel sends: catalogue card specs and the
 * request/reply envelopes of docs/protocol.md.
 */

export type PortKind = 'param' | 'port';

export interface InputSpec {
  label: string;
  name: string;
  type: string;
  multiplicity?: string;
  kind?: PortKind;
  default?: unknown;
  optional?: boolean;
  required?: boolean;
  choices?: unknown[] | null;
  minimum?: number | null;
  maximum?: number | null;
  help?: string;
}

export interface OutputSpec {
  label: string;
  name: string;
  type: string;
  multiplicity?: string;
  help?: string;
}

export interface CardSpec {
  id: string;
  title: string;
  category: string[];
  role?: string;
  keras_class?: string | null;
  inputs: InputSpec[];
  outputs: OutputSpec[];
}

export interface Point {
  x: number;
  y: number;
}

/** An axis-aligned rectangle given by its centre (cytoscape's convention) and size. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Request {
  type: string;
  request_id?: number;
  [key: string]: unknown;
}

export interface Reply {
  type: 'reply';
  request_id: number;
  ok: boolean;
  error?: string;
  result?: any;
}

/** True for inputs that are edited on the card (not wired). */
export function isParam(input: InputSpec): boolean {
  if (input.kind) {
    return input.kind === 'param';
  }
  return !input.type.startsWith('NeuralNetwork');
}

/** True for inputs that take a list of values (multiplicity "n"). */
export function isList(input: InputSpec): boolean {
  return input.multiplicity === 'n';
}
