import type { Location, MessageDefinition, MessageOf, PayloadOf } from './message.js';
import type { Batch, CompleteSet, Member, Part } from '../ports/state-store.js';
import type { Logger } from './logger.js';
import type { RetryPolicy } from './retry-policy.js';

/** A message the mediator sends: its type and payload; the core adds `id` and `dateCreated`. */
export type Outgoing = { type: string } & Record<string, unknown>;

/** Where an outgoing message records its cause, when that is not the message being handled. */
export const causedByKey: unique symbol = Symbol('causedBy');

/**
 * Builds a typed outgoing message. A fan-in's result may name as its cause the message it is
 * about (a GIF's mail, the GIF), rather than whichever arrival happened to complete the fan-in;
 * that is what `dataflow trace` and the dashboard then show.
 */
export function message<D extends MessageDefinition>(definition: D, payload: PayloadOf<D>, options: { causedBy?: string } = {}): Outgoing {
  const outgoing: Outgoing = { ...(payload as object), type: definition.type };
  if (options.causedBy) Object.defineProperty(outgoing, causedByKey, { value: options.causedBy, enumerable: false });
  return outgoing;
}

/** The state the mediator may query and change; every change is one atomic step. */
export interface MediatorState {
  /** Recorded messages of a type (not dead ones), ordered by valid time. */
  find<D extends MessageDefinition>(definition: D, query?: { key?: string; validTime?: { from?: number; to?: number }; limit?: number }): Promise<MessageOf<D>[]>;
  /**
   * Every `size` new members of a group make one batch (five frames make a GIF): adds a member
   * and returns the batch only to the call whose member closed it, and again to a replay of that
   * member. A member belongs to one batch at most, whoever races.
   */
  addToWindow(group: string, member: Member, size: number): Promise<Batch | undefined>;
  /** The batch a member of a window belongs to, once the window has closed. */
  windowOf(group: string, memberId: string): Promise<Batch | undefined>;
  /**
   * These named parts are awaited (a GIF and its thumbnails); records one and returns the set,
   * once, to the call whose part completed it (and to a replay of that part).
   */
  addPart(set: string, expected: string[], part: Part): Promise<CompleteSet | undefined>;
}

export interface MediatorContext {
  state: MediatorState;
  /** A link to a blob, presigned where the store supports it. */
  urlFor(location: Location): Promise<string>;
  now(): number;
  log: Logger;
}

export interface Rule<D extends MessageDefinition = MessageDefinition> {
  readonly on: D;
  handle(message: MessageOf<D>, context: MediatorContext): Promise<Outgoing[]>;
}

/** One mediator rule: what to do when a message of this type arrives. */
export function when<D extends MessageDefinition>(on: D, handle: Rule<D>['handle']): Rule<D> {
  return { on, handle };
}

/**
 * The smart mediator: holds the config, records every message, queries state, decides, and sends
 * `please-*` messages. Its rules must be idempotent: a message may arrive twice.
 */
export interface Mediator {
  readonly name: string;
  readonly rules: readonly Rule<any>[];
  /** @defaultValue 8 */
  readonly concurrency?: number;
  /** As a worker's: see {@link Worker.retry}. @defaultValue {@link defaultRetryPolicy} */
  readonly retry?: Partial<RetryPolicy>;
}

export function defineMediator(mediator: Mediator): Mediator {
  const seen = new Set<string>();
  for (const rule of mediator.rules) {
    if (seen.has(rule.on.type)) throw new Error(`mediator ${mediator.name} has two rules for ${rule.on.type}`);
    seen.add(rule.on.type);
  }
  return mediator;
}
