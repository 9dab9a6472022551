/**
 * Shapes of the catalogue data the kernel sends (card specs, as
 * nncards_widget/catalog's to_dict() writes them) and small geometry types.
 * The requests and replies are typed in protocol.ts.
 */

/** Port types (nncards_widget/catalog PORT_TYPES). */
export const TENSOR = 'NeuralNetworkTensor';
export const LAYER = 'NeuralNetworkLayer';
export const INITIALIZER = 'NeuralNetworkInitializer';
export const REGULARIZER = 'NeuralNetworkRegularizer';
export const CONSTRAINT = 'NeuralNetworkConstraint';
export const PORT_TYPES = [TENSOR, LAYER, INITIALIZER, REGULARIZER, CONSTRAINT];

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
  /** For a list parameter: how many values it takes (null: any number). */
  length?: number | null;
  /** For a Tensor port: the name of the Keras call() argument it feeds. */
  call_name?: string | null;
  /** A parameter the card shows even at its default (the catalogue derives it). */
  primary?: boolean;
  help?: string;
}

export interface OutputSpec {
  label: string;
  name: string;
  type: string;
  multiplicity?: string;
  /** Which element of the layer call's returned tuple this port is (null: the whole value). */
  index?: number | null;
  /** Name of a Boolean parameter: the port exists only while it is true. */
  when?: string | null;
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
