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
    collect: (group, member, size) => state.collect(group, member, size),
    batchOf: (group, memberId) => state.batchOf(group, memberId),
  };
}
