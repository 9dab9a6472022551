/**
 * Widget states sent by the kernel in bulk: one `states` message on the editor carries the
 * new trait values of many card and wire models (live shapes, inspection previews, training
 * statistics) instead of one comm message per widget (docs/protocol.md, "Live shapes and
 * inspection").
 */

import type { StatesMessage } from './protocol';

/** The part of a widget model that applying a state needs. */
export interface StatefulModel {
  state_change: Promise<any>;
  set_state(state: Record<string, unknown>): void;
}

export function isStatesMessage(msg: any): msg is StatesMessage {
  return !!msg && msg.type === 'states' && !!msg.states && typeof msg.states === 'object';
}

/**
 * Apply each model's state as a sync from the kernel would: after the updates already queued
 * for that model, and without sending it back. Models that are gone (closed meanwhile) are
 * skipped.
 */
export function applyStates(
  getModel: (id: string) => Promise<StatefulModel | undefined>,
  states: StatesMessage['states']
): Promise<void> {
  const applied = Object.keys(states).map(id =>
    getModel(id).then(
      model => {
        if (!model) {
          return;
        }
        model.state_change = model.state_change.then(() => model.set_state(states[id]));
        return model.state_change;
      },
      () => undefined
    )
  );
  return Promise.all(applied).then(() => undefined);
}
