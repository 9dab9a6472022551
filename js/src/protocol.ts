/**
 * The view -> kernel requests of docs/protocol.md, typed once. The kernel
 * (nncards_widget/protocol.py) declares the same requests and fields;
 * tests/test_protocol.py reads this file and checks that both sides and the
 * document agree, so keep one interface per request in this exact form:
 * first member `type: '<name>';`, then one member per line. The sender adds
 * `request_id` (see requests.ts); it is not listed here.
 */

import { Point } from './types';

/** A wire as the kernel describes it (e.g. in a `connect` result). */
export interface WireRecord {
  id: string;
  source: string;
  source_port: string;
  target: string;
  target_port: string;
  port_type?: string;
}

export interface AddRequest {
  type: 'add';
  card_id: string;
  position?: Point;
  params?: Record<string, unknown>;
}

export interface RemoveRequest {
  type: 'remove';
  cards?: string[];
  wires?: string[];
}

export interface ConnectRequest {
  type: 'connect';
  source: string;
  source_port?: string;
  target: string;
  target_port?: string;
}

export interface DisconnectRequest {
  type: 'disconnect';
  wire: string;
}

export interface SetParamRequest {
  type: 'set_param';
  uid: string;
  name: string;
  value: unknown;
}

export interface MoveRequest {
  type: 'move';
  positions: Record<string, Point>;
}

export interface RestoreRequest {
  type: 'restore';
  cards?: Record<string, unknown>[];
  wires?: Record<string, unknown>[];
}

export interface UndoRequest {
  type: 'undo';
}

export interface RedoRequest {
  type: 'redo';
}

/** The card catalogue, asked once per page (result: `version`, `cards`). */
export interface CatalogRequest {
  type: 'catalog';
}

/** The graph in `ed.to_json()` form, which the view keeps in the notebook (result: `graph`, `file`). */
export interface ToJsonRequest {
  type: 'to_json';
}

/** Replace the graph by a saved one, as one undoable step (result: `cards`). */
export interface LoadRequest {
  type: 'load';
  graph: Record<string, unknown>;
}

/** Make the pending inspection previews of these cards (result: `made`, how many); not an edit. */
export interface PreviewsRequest {
  type: 'previews';
  cards: string[];
}

// prettier-ignore
export type Request = AddRequest | RemoveRequest | ConnectRequest | DisconnectRequest | SetParamRequest | MoveRequest | RestoreRequest | UndoRequest | RedoRequest | CatalogRequest | ToJsonRequest | LoadRequest | PreviewsRequest;

/** The kernel's answer to one request. */
export interface Reply {
  type: 'reply';
  request_id: number;
  ok: boolean;
  error?: string;
  result?: any;
}

/**
 * Kernel -> view: new trait values of many card and wire models at once, by model id (the
 * widgets' comm ids); applied as if each model had been synced (states.ts).
 */
export interface StatesMessage {
  type: 'states';
  states: { [modelId: string]: Record<string, unknown> };
}

/** The synced `history` trait of the editor: labels of the next undo / redo. */
export interface History {
  undo: string;
  redo: string;
  undo_count: number;
  redo_count: number;
}
