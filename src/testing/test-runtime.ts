/**
 * A flow run in memory for tests: the core runtime on an in-memory state store and blob store, a
 * mailer that keeps what it is given, and a manual clock that retries and the schedule move
 * forward, so twelve retries with minutes of backoff take milliseconds.
 */
import { Cron } from 'croner';
import { memoryBlobStore, type MemoryBlobStore } from '../adapters/memory/blob-store.js';
import { capturingMailer, type CapturedMail, type CapturingMailer } from '../adapters/memory/mailer.js';
import { memoryStateStore, type MemoryStateStore } from '../adapters/memory/state-store.js';
import type { FlowEvent } from '../core/events.js';
import type { Flow } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import type { Message } from '../core/message.js';
import type { Rejected } from '../core/processor.js';
import type { RetryOverrides } from '../core/retry-policy.js';
import { createRuntime, type Runtime } from '../core/runtime.js';
import type { MessageStatus, StoredMessage } from '../ports/state-store.js';
import { failingWorkers, type FailWorkerOptions } from './failing-workers.js';
import { resolveFlow, type FlowSource } from './flow-source.js';
import { manualClock, type ManualClock } from './manual-clock.js';
import { timeSkippingTransport, type WaitingRetry } from './time-skipping-transport.js';

export interface TestRuntimeOptions {
  /** Handed to a flow factory as `settings`. @defaultValue {} */
  settings?: Record<string, unknown>;
  /** Where the manual clock starts: epoch ms or a Date. @defaultValue the real time now */
  startAt?: number | Date;
  /** Changes to the consumers' retry policies, as the runtime's `retry` option. @defaultValue the flow's own */
  retry?: RetryOverrides;
  /** The bucket workers write into. @defaultValue 'dataflow' */
  bucket?: string;
  /** @defaultValue silent */
  log?: Logger;
}

export interface SendResult {
  accepted: Message[];
  rejected: Rejected[];
}

export interface MessageFilter {
  type?: string;
  status?: MessageStatus;
  /** Messages the handling of this one sent. */
  causedBy?: string;
}

export interface TestRuntime {
  readonly flow: Flow;
  /** The core runtime underneath, for what the kit does not wrap. */
  readonly runtime: Runtime;
  readonly clock: ManualClock;
  readonly state: MemoryStateStore;
  readonly blobs: MemoryBlobStore;
  readonly mailer: CapturingMailer;
  /** Every event so far (received, done, retry, dead, stored, duplicate), in order. */
  readonly events: readonly FlowEvent[];
  /** Checks, records and sends messages from outside the flow, as `dataflow send` does; handles nothing yet. */
  send(input: unknown | unknown[]): Promise<SendResult>;
  /** Handles everything until nothing is left, moving the clock to each retry in turn. */
  runUntilIdle(): Promise<void>;
  /** `send` then `runUntilIdle`. */
  run(input: unknown | unknown[]): Promise<SendResult>;
  /** Moves the clock `ms` forward, handling what is due on the way, and no further. */
  advance(ms: number): Promise<void>;
  /**
   * Moves the clock to the next tick of the flow's schedule (handling what is due before it) and
   * sends that tick's inputs; throws when the flow has no schedule.
   */
  tick(): Promise<SendResult & { at: Date }>;
  /** Makes a worker's next handlings fail, to see its retries and its dead letter. */
  failWorker(name: string, options?: FailWorkerOptions): void;
  /** Recorded messages, in the order they arrived. */
  messages(filter?: MessageFilter): StoredMessage[];
  message(id: string): StoredMessage | undefined;
  /** A message and the causes above it, from the input that set it off down to it. */
  chain(id: string): StoredMessage[];
  /** Dead-lettered messages, each with its `reason`. */
  deadLetters(): StoredMessage[];
  /** Every mail the flow sent, as given and as MIME text. */
  mail(): readonly CapturedMail[];
  /** Retries waiting for the clock, soonest first. */
  waiting(): WaitingRetry[];
  stop(): Promise<void>;
}

/** Makes and starts a test runtime for a flow, or for a function of the ports that returns one. */
export async function createTestRuntime(source: FlowSource, options: TestRuntimeOptions = {}): Promise<TestRuntime> {
  const clock = manualClock(options.startAt);
  const state = memoryStateStore();
  const blobs = memoryBlobStore();
  const mailer = capturingMailer();
  const failing = failingWorkers(await resolveFlow(source, { mailer, blobs, settings: { ...options.settings } }));
  const flow = failing.flow;
  const transport = timeSkippingTransport(clock);
  const runtime = createRuntime({ flow, state, blobs, transport, clock, bucket: options.bucket, retry: options.retry, log: options.log });
  const events: FlowEvent[] = [];
  runtime.on((event) => events.push(event));
  await runtime.start();

  const send = (input: unknown) => runtime.send(Array.isArray(input) ? input : [input]);
  const messages = (filter: MessageFilter = {}) =>
    state.all().filter(
      (m) =>
        (filter.type === undefined || m.type === filter.type) &&
        (filter.status === undefined || m.status === filter.status) &&
        (filter.causedBy === undefined || m.causedBy === filter.causedBy),
    );
  let cron: Cron | undefined;

  const kit: TestRuntime = {
    flow,
    runtime,
    clock,
    state,
    blobs,
    mailer,
    events,
    send,
    runUntilIdle: () => transport.drain(),
    async run(input) {
      const result = await send(input);
      await transport.drain();
      return result;
    },
    async advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`advance: ms must be a number of milliseconds, 0 or more, got ${ms}`);
      await transport.drain({ until: clock.now() + ms });
    },
    async tick() {
      if (!flow.schedule) throw new Error(`flow ${flow.name} has no schedule to tick`);
      // The schedule is in UTC, as every runtime fires it; no timer runs, croner only computes.
      cron ??= new Cron(flow.schedule.cron, { timezone: 'Etc/UTC', paused: true });
      const at = cron.nextRun(new Date(clock.now()));
      if (!at) throw new Error(`the schedule "${flow.schedule.cron}" of flow ${flow.name} has no tick after ${new Date(clock.now()).toISOString()}`);
      await transport.drain({ until: at.getTime() });
      return { at, ...(await send(flow.schedule.inputs(at.getTime()))) };
    },
    failWorker: (name, failOptions) => failing.fail(name, failOptions),
    messages,
    message: (id) => messages().find((m) => m.id === id),
    chain(id) {
      const chain: StoredMessage[] = [];
      const seen = new Set<string>();
      for (let m = kit.message(id); m && !seen.has(m.id); m = m.causedBy === undefined ? undefined : kit.message(m.causedBy)) {
        seen.add(m.id);
        chain.unshift(m);
      }
      return chain;
    },
    deadLetters: () => messages({ status: 'dead' }),
    mail: () => mailer.sent,
    waiting: () => transport.waiting(),
    async stop() {
      cron?.stop();
      await runtime.stop();
    },
  };
  return kit;
}
