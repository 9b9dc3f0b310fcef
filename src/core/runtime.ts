/**
 * A runtime joins a flow to its ports in a long-lived process: it consumes each consumer's queue
 * through the transport and hands every delivery to the processor, which records, handles and
 * sends what was caused. With a transport that only sends, it consumes nothing and still sends,
 * re-drives and waits (`dataflow send` against a cluster). A serverless host needs no runtime:
 * it calls the processor itself (see `createProcessor`).
 */
import { setMaxListeners } from 'node:events';
import type { BlobStore } from '../ports/blob-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { StateStore, StoredMessage } from '../ports/state-store.js';
import { canConsume, type Sender, type Transport } from '../ports/transport.js';
import type { FlowEvent, FlowEventListener } from './events.js';
import type { Flow } from './flow.js';
import { silentLogger, type Logger } from './logger.js';
import type { Message } from './message.js';
import { causedForest, flatten } from './causal-chain.js';
import { mapBounded } from './bounded.js';
import { createProcessor, type Rejected } from './processor.js';
import { sendForBatch, type Sent } from './batch-send.js';
import { coerceError, describeError } from './errors.js';
import type { RetryOverrides } from './retry-policy.js';
import { waitUntilSettled, type SettleWaitOptions } from './settle-wait.js';

export interface RuntimeOptions {
  flow: Flow;
  state: StateStore;
  blobs: BlobStore;
  /** Both halves, to consume; a {@link Sender} alone for a process that only sends. */
  transport: Transport | Sender;
  /** The bucket workers write into. @defaultValue 'dataflow' */
  bucket?: string;
  clock?: Clock;
  log?: Logger;
  /**
   * Changes to the consumers' retry policies, for all of them and per consumer; each beats what the
   * flow's definitions say. @defaultValue each consumer's own, else {@link defaultRetryPolicy}
   */
  retry?: RetryOverrides;
  /** Consumers this process runs. @defaultValue all of the flow's; none when the transport only sends */
  consumers?: string[];
  /** Per-consumer concurrency overrides. */
  concurrency?: Record<string, number>;
  /**
   * Deliver again, on start, every message the state store still holds as pending: what an
   * in-memory transport lost when its process stopped. Only for a transport that is not durable:
   * a durable one still holds its deliveries, and a message settled without its caused messages
   * sent has them sent again when it is delivered again. @defaultValue false
   */
  recoverPending?: boolean;
  /** How long `stop()` lets running handlers finish before it aborts them. @defaultValue 30000 */
  shutdownGraceMs?: number;
  /**
   * Removes secrets from every reason a message is dead-lettered or retried with, before it is
   * stored or shown: a reason quotes outside text (a server's answer, a driver's error) that may
   * repeat a credential. @defaultValue none removed
   */
  redact?: (text: string) => string;
}

export interface Runtime {
  readonly flow: Flow;
  readonly state: StateStore;
  readonly blobs: BlobStore;
  start(): Promise<void>;
  /** Checks, records and sends messages from outside the flow. Invalid ones are dead-lettered. */
  send(inputs: unknown[]): Promise<{ accepted: Message[]; rejected: Rejected[] }>;
  /** Sends dead-lettered messages again. */
  redrive(ids: string[] | 'all'): Promise<StoredMessage[]>;
  /** Resolves when the transport has nothing queued, running or waiting to retry. */
  idle(): Promise<void>;
  /**
   * Resolves when these messages and everything they set off have settled (done or dead), by
   * whichever processes handle them. `onWait` hears how many are still pending, now and then.
   * Throws a `SettleWaitError` when their work waits in a queue no process consumes, or
   * when `timeoutMs` passes.
   */
  settled(ids: string[], options?: SettleWaitOptions): Promise<void>;
  /** These messages and everything they set off, in the order they were recorded. */
  descendants(ids: string[]): Promise<StoredMessage[]>;
  on(listener: FlowEventListener): () => void;
  /** Stops consuming, lets running handlers finish, closes the ports. */
  stop(): Promise<void>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { flow, state, blobs, transport } = options;
  const clock = options.clock ?? systemClock;
  const redact = options.redact ?? ((text: string) => text);
  const listeners = new Set<FlowEventListener>();
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal); // one listener per running handler
  const processor = createProcessor({
    flow,
    state,
    blobs,
    sender: transport,
    bucket: options.bucket,
    clock,
    log: options.log ?? silentLogger,
    retry: options.retry,
    redact: options.redact,
    signal: shutdown.signal,
    onEvent: (event: FlowEvent) => {
      for (const listener of listeners) listener(event);
    },
  });
  const stops: (() => Promise<void>)[] = [];
  const consumes = canConsume(transport);
  const wanted = new Set(options.consumers ?? (consumes ? flow.consumers().map((c) => c.name) : []));

  /**
   * Sends re-driven messages, each checked again first. One its queue did not take is a dead
   * letter again, its reason saying so, for the next re-drive to send: never pending with nobody
   * to send it. Throws, naming them, when some did not go.
   */
  async function sendRedriven(redriven: StoredMessage[]): Promise<void> {
    const send: Sent[] = [];
    for (const message of redriven) {
      const checked = await processor.recheck(message);
      if (checked) send.push(checked);
    }
    const unsent = await sendForBatch(transport, send.map((one) => [one]));
    if (unsent.size === 0) return;
    const failed: string[] = [];
    for (const [index, { queues, errors }] of unsent) {
      const { message } = send[index]!;
      const reason = redact(`re-driven, but queue ${[...queues].join(', ')} did not take it: ${errors.map((e) => describeError(coerceError(e))).join('; ')}; re-drive it again`);
      const attempts = redriven.find((m) => m.id === message.id)?.attempts ?? 0;
      await state.settle(message.id, { status: 'dead', attempts, reason }, [], clock.now());
      failed.push(`${message.type} ${message.id}`);
    }
    throw new Error(`could not send ${failed.length} re-driven message(s), now dead letters again to re-drive later: ${failed.join(', ')}: ${describeError(coerceError([...unsent.values()][0]!.errors[0]))}`);
  }

  const runtime: Runtime = {
    flow,
    state,
    blobs,
    async start() {
      if (!consumes && wanted.size > 0) {
        throw new Error(`this transport only sends, so it cannot consume ${[...wanted].join(', ')}: give a transport with consume(), or consumers: []`);
      }
      for (const consumer of flow.consumers()) {
        if (!wanted.has(consumer.name) || !consumes) continue;
        const concurrency = options.concurrency?.[consumer.name] ?? consumer.concurrency;
        stops.push(transport.consume(consumer.name, async (delivery) => (await processor.process(consumer.name, delivery)).outcome, { concurrency }));
      }
      // The in-memory transport's queues died with their process: what they held is sent again.
      if (options.recoverPending) await processor.resend(await state.find({ status: 'pending', limit: 1_000_000 }));
    },
    send: (inputs) => processor.accept(inputs),
    async redrive(ids) {
      const revived = await state.revive(ids, clock.now(), (type) => flow.route(type));
      if (state.enqueuesOnSettle) {
        // What has no route was not enqueued: checked again, it is dead again, with the reason.
        for (const message of revived) if (!flow.route(message.type)) await processor.recheck(message);
        return revived;
      }
      // Revived, then sent: a re-drive cut short in between (its process died) left the message
      // pending with nobody to send it. Named again, it is sent again; a copy already under way is
      // dropped by id where it arrives.
      const named = ids === 'all' ? [] : [...new Set(ids)].filter((id) => !revived.some((m) => m.id === id));
      const stranded = (await Promise.all(named.map((id) => state.get(id)))).filter((m): m is StoredMessage => m?.status === 'pending');
      const redriven = [...revived, ...stranded];
      await sendRedriven(redriven);
      return redriven;
    },
    async idle() {
      if (!consumes || !transport.idle) throw new Error('this transport cannot tell when the flow is idle');
      await transport.idle();
    },
    settled(ids, waitOptions) {
      return waitUntilSettled({ state, transport, flow, descendants: (roots) => runtime.descendants(roots), on: (listener) => runtime.on(listener) }, ids, waitOptions);
    },
    async descendants(ids) {
      const found = new Map<string, StoredMessage>();
      for (const root of await mapBounded([...new Set(ids)], 8, (id) => state.get(id))) if (root) found.set(root.id, root);
      const { trees } = await causedForest(state, [...found.values()], Number.MAX_SAFE_INTEGER);
      for (const tree of trees) for (const { message } of flatten(tree)) found.set(message.id, message);
      return [...found.values()].sort((a, b) => a.createdAt - b.createdAt);
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      // Stop taking work and let running handlers finish; past the grace period, abort them:
      // their messages stay pending and are delivered again.
      const stopping = Promise.all(stops.splice(0).map((stop) => stop()));
      const grace = new Promise((resolve) => setTimeout(resolve, options.shutdownGraceMs ?? 30_000).unref());
      await Promise.race([stopping, grace]);
      shutdown.abort();
      // Aborted handlers answer at once; a backend that hangs still lets the process stop.
      await Promise.race([stopping, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      await transport.close?.();
      await state.close();
    },
  };
  return runtime;
}
