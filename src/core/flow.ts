import type { MessageDefinition } from './message.js';
import type { Mediator } from './mediator.js';
import type { Worker } from './worker.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy.js';
import { checkAccess, type ConsumerAccess } from './flow-access.js';

/** A flow: its message types, its workers and the mediator that leads them. */
export interface Flow {
  readonly name: string;
  readonly workers: readonly Worker<any, any>[];
  readonly mediator: Mediator;
  /** The definition of a message type, or undefined when the flow does not know it. */
  definition(type: string): MessageDefinition | undefined;
  /** The consumer (a worker's name or the mediator's) that handles a message type. */
  route(type: string): string | undefined;
  /** Every consumer: the mediator and the workers. */
  consumers(): { name: string; concurrency: number; retry: RetryPolicy; timeoutMs: number }[];
  readonly types: readonly string[];
  /** What the flow asks for on its own, on a clock: e.g. the maps to fetch every 7 minutes. */
  readonly schedule?: FlowSchedule;
  /** What each consumer may touch, as declared (see flow-access.ts; `consumerAccess` applies the defaults). */
  readonly access?: Readonly<Record<string, ConsumerAccess>>;
}

/**
 * A flow's schedule: a cron expression and the inputs each tick sends, as if a person had sent
 * them. Every runtime fires it its own way (a timer in a process, EventBridge on AWS, a manual
 * clock in tests); the inputs are checked and recorded like any other.
 */
export interface FlowSchedule {
  /** Five or six fields, e.g. `*\/7 * * * *` (croner's syntax), in UTC. */
  readonly cron: string;
  /** The inputs of the tick at `now` (epoch ms). */
  inputs(now: number): unknown[];
}

export function defineFlow(spec: {
  name: string;
  workers: Worker<any, any>[];
  mediator: Mediator;
  /** Types no worker or rule names, e.g. a final `did-*` that is only recorded. */
  messages?: MessageDefinition[];
  schedule?: FlowSchedule;
  /** Per consumer: the secret settings it needs, the blob prefixes it reads and writes, whether it sends mail. */
  access?: Record<string, ConsumerAccess>;
}): Flow {
  const definitions = new Map<string, MessageDefinition>();
  const routes = new Map<string, string>();
  const add = (definition: MessageDefinition) => {
    const known = definitions.get(definition.type);
    if (known && known !== definition) throw new Error(`flow ${spec.name} defines ${definition.type} twice`);
    definitions.set(definition.type, definition);
  };
  const names = new Set([spec.mediator.name]);
  for (const worker of spec.workers) {
    if (names.has(worker.name)) throw new Error(`flow ${spec.name} has two consumers named ${worker.name}`);
    names.add(worker.name);
    if (routes.has(worker.accepts.type)) throw new Error(`flow ${spec.name} has two workers for ${worker.accepts.type}`);
    add(worker.accepts);
    add(worker.replies);
    routes.set(worker.accepts.type, worker.name);
  }
  for (const rule of spec.mediator.rules) add(rule.on);
  for (const definition of spec.messages ?? []) add(definition);
  // Whatever no worker accepts is the mediator's: it records every message it gets.
  for (const type of definitions.keys()) if (!routes.has(type)) routes.set(type, spec.mediator.name);
  // Checked now, so a flow with an unusable policy fails when it is defined, naming the consumer.
  if (spec.access !== undefined) checkAccess(spec.name, spec.mediator.name, spec.workers.map((w) => w.name), spec.access);
  const policies = new Map([spec.mediator, ...spec.workers].map((c) => [c.name, resolveRetryPolicy(c.name, c.retry)]));

  return {
    name: spec.name,
    workers: spec.workers,
    mediator: spec.mediator,
    types: [...definitions.keys()],
    definition: (type) => definitions.get(type),
    route: (type) => routes.get(type),
    schedule: spec.schedule,
    access: spec.access,
    consumers: () => [
      {
        name: spec.mediator.name,
        concurrency: spec.mediator.concurrency ?? 8,
        retry: policies.get(spec.mediator.name)!,
        timeoutMs: 30_000,
      },
      ...spec.workers.map((worker) => ({
        name: worker.name,
        concurrency: worker.concurrency ?? 4,
        retry: policies.get(worker.name)!,
        timeoutMs: worker.timeoutMs ?? 60_000,
      })),
    ],
  };
}
