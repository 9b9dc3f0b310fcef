import type { Message } from './message.js';
import type { MediatorState } from './mediator.js';
import type { StateStore } from '../ports/state-store.js';

/** The mediator's view of the state store: typed queries over live (not dead) messages. */
export function mediatorState(state: StateStore): MediatorState {
  return {
    async find(definition, query = {}) {
      const stored = await state.find({ type: definition.type, key: query.key, validTime: query.validTime, limit: query.limit });
      return stored.filter((m) => m.status !== 'dead').map((m) => m.body as Message) as never;
    },
    addToWindow: (group, member, size) => state.addToWindow(group, member, size),
    windowOf: (group, memberId) => state.windowOf(group, memberId),
    addPart: (set, expected, part) => state.addPart(set, expected, part),
  };
}
