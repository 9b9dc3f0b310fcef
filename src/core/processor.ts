/**
 * The processor: what every host calls, the same way in every runtime. A runtime's consumer loop
 * hands it one delivery at a time; a serverless host (SQS -> Lambda) hands it the batch it was
 * given and answers with the outcomes (`retry` ones as `batchItemFailures`, their delay as the
 * visibility timeout). Each delivery goes:
 *
 *   parse -> validate -> drop if already settled -> record -> count the attempt -> handle
 *   -> validate what it sent -> settle (done + the messages it caused, in one step)
 *   -> hand those to the sender -> ack
 *
 * The delivery is acked only once what it caused has been handed on, and a copy of a message
 * already settled `done` sends again what it caused that is still pending. So a process that dies
 * between settle and send loses nothing once the cause is delivered again, on any transport, with
 * no outbox and no scan at start; the ids of caused messages derive from the cause's id, so a copy
 * is dropped downstream as a duplicate. A state store that enqueues on settle (a transactional
 * outbox) only spares the send on the way.
 *
 * A failure is retried with backoff while it may pass and attempts remain; otherwise the message
 * is settled as dead with its reason. Attempts are counted in the state store before the handler
 * runs, so a message whose handling kills the process runs out of attempts too. Copies of one
 * message id run one after the other in this processor; across processes the conditional settle
 * records one outcome (and the handler, idempotent, may have run in both).
 */
import type { BlobStore } from '../ports/blob-store.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { NewMessage, StateStore, StoredMessage } from '../ports/state-store.js';
import { INVALID_TYPE, UNPARSED_TYPE } from './validate.js';
import type { Delivery, Outcome, Sender } from '../ports/transport.js';
import { InvalidMessageError, NonRetriableError, RetryableError, StoreRefusedError, coerceError, describeError, isRetriable } from './errors.js';
import type { FlowEventListener } from './events.js';
import type { Flow } from './flow.js';
import { consumerAccess } from './flow-access.js';
import { derivedId, newId } from './ids.js';
import { silentLogger, type Logger } from './logger.js';
import type { Message } from './message.js';
import { causedByKey, type MediatorContext, type Outgoing } from './mediator.js';
import { mediatorState } from './mediator-state.js';
import { normalizeEnvelope, parseJson, validatePayload } from './validate.js';
import { workerContext } from './invoke.js';
import { backoffMs, resolveRetryPolicy, type RetryOverrides } from './retry-policy.js';
import { checkMessage, flawOf, jsonText, maxMessageDepth, nestsDeeperThan, withoutNul } from './json-walkers.js';
import { oneAtATime } from './one-at-a-time.js';
import { mapBounded } from './bounded.js';
import { neverDelivered } from './never-delivered.js';
import { sendForBatch, type Sent } from './batch-send.js';

export type { Sent } from './batch-send.js';

export interface ProcessorOptions {
  flow: Flow;
  state: StateStore;
  blobs: BlobStore;
  /** Where the messages a handling caused go: a transport, or only its sending half. */
  sender: Sender;
  /** The bucket workers write into. @defaultValue 'dataflow' */
  bucket?: string;
  /** @defaultValue the system clock */
  clock?: Clock;
  /** @defaultValue silent */
  log?: Logger;
  /** Changes to the consumers' retry policies. */
  retry?: RetryOverrides;
  onEvent?: FlowEventListener;
  /** Aborts running handlers on shutdown. */
  signal?: AbortSignal;
  /** Removes secrets from each reason before it is stored, sent to listeners or logged. @defaultValue none removed */
  redact?: (text: string) => string;
}

/** What became of one delivery. */
export interface DeliveryResult {
  /** What the host does with the delivery: drop it, deliver it again after `delayMs`, or drop it as dead. */
  outcome: Outcome;
  /**
   * What was handed to the sender for it: the messages its handling caused (none when the state
   * store enqueued them on settle) or, for a copy of a message already done, those it caused that
   * were never delivered.
   */
  sent: Sent[];
}

export interface ProcessBatchOptions {
  /** How many deliveries run at once. @defaultValue the consumer's concurrency (a worker's 4, the mediator's 8, unless the flow says otherwise) */
  concurrency?: number;
}

/** An input that was not accepted: its place among the inputs, the id it is kept under, and why. */
export interface Rejected {
  index: number;
  id: string;
  reason: string;
}

export interface Processor {
  /**
   * Handles a batch of deliveries for one consumer (a queue's name) and answers one result per
   * delivery, in the same order. Deliveries run side by side, at most `concurrency` at once; two
   * of the same message id never at once. The caused messages are sent once per queue for the
   * whole batch; a delivery whose messages could not be sent answers `retry`, so its redelivery
   * sends them again. Throws only for a consumer the flow does not have.
   */
  processBatch(consumer: string, deliveries: Delivery[], options?: ProcessBatchOptions): Promise<DeliveryResult[]>;
  /** A batch of one. */
  process(consumer: string, delivery: Delivery): Promise<DeliveryResult>;
  /**
   * Checks and records messages from outside the flow (a schedule, a person) and sends them.
   * Invalid ones are recorded as dead with their reason and not sent. Give inputs ids of their
   * own to make a send that failed safe to repeat: a known id is not recorded twice.
   */
  accept(inputs: unknown[]): Promise<{ accepted: Message[]; rejected: Rejected[] }>;
  /**
   * Sends stored messages anew (revived dead letters, pending ones a transport that is not
   * durable lost), each checked again first: one that no longer passes is dead again, with
   * today's reason. Returns what was sent.
   */
  resend(stored: StoredMessage[]): Promise<Sent[]>;
  /**
   * Checks a stored message again before it is sent anew: one that passes is returned to be sent;
   * one that fails (text that never parsed, an unknown type) is dead again, with today's reason.
   */
  recheck(stored: StoredMessage): Promise<Sent | undefined>;
}

/** One delivery's outcome, and what to send for it, before the batch's sending. */
interface Processed {
  outcome: Outcome;
  send: Sent[];
}

type Settings = ReturnType<Flow['consumers']>[number];

/** The message id of a delivery, when its message has one. */
function idOf(delivery: Delivery): string | undefined {
  const message = delivery.message as { id?: unknown } | null;
  return typeof message === 'object' && message !== null && typeof message.id === 'string' ? message.id : undefined;
}

/**
 * A delivery whose message came as JSON text (an SQS body) with the object it holds, as `accept`
 * reads its inputs: so copies of one id are known as such. Text that is no object stays text.
 */
function parsed(delivery: Delivery): Delivery {
  if (typeof delivery.message !== 'string') return delivery;
  try {
    const value: unknown = JSON.parse(delivery.message);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...delivery, message: value } : delivery;
  } catch {
    return delivery;
  }
}

/** Messages grouped by the queue they go to, in the order given. */
function byQueue(send: Sent[]): Map<string, Message[]> {
  const queues = new Map<string, Message[]>();
  for (const { queue, message } of send) queues.set(queue, [...(queues.get(queue) ?? []), message]);
  return queues;
}

/** The abort a handler gets when its process shuts down: the one failure whose attempt is given back. */
class ShutdownAbort extends RetryableError {}

/**
 * Why a message whose attempts ran out before this delivery is dead: of the `made` attempts counted
 * in the store, those not recorded as failed began and never ended, so their process died; when
 * none did (a retry policy lowered since), it says so and keeps the last failure's reason.
 */
function outOfAttempts(made: number, failures: number, lastFailure: string | undefined, maxAttempts: number): string {
  const died = Math.max(0, made - failures);
  const last = lastFailure === undefined ? '' : `; last failure: ${lastFailure}`;
  const times = `${died} time${died === 1 ? '' : 's'}`;
  if (died === made) return `the process died while handling it ${times}`;
  if (died > 0) return `the process died while handling it ${times} in ${made} attempts${last}`;
  return `given up after ${made} attempts, its retry policy allowing ${maxAttempts}${last}`;
}

/** Gives an object that has no id, or JSON text of one, an id; anything else stays as it is. */
function withId(input: unknown): unknown {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return input; // never parsed: kept as text, under an id of its own
    }
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { id?: unknown }).id === undefined) {
    return { ...value, id: newId() };
  }
  return value;
}

/**
 * Makes the processor a host hands deliveries to. A serverless handler stays thin: it turns its
 * event into deliveries, calls `processBatch`, and turns the outcomes back, e.g. for SQS:
 *
 * ```ts
 * const processor = createProcessor({ flow, state, blobs, sender });
 * export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
 *   const deliveries = event.Records.map((r) => ({ message: r.body, attempt: Number(r.attributes.ApproximateReceiveCount) }));
 *   const results = await processor.processBatch(queueOf(event), deliveries);
 *   const retry = results.flatMap((r, i) => (r.outcome.kind === 'retry' ? [{ record: event.Records[i]!, delayMs: r.outcome.delayMs }] : []));
 *   await delayVisibility(retry); // the visibility timeout becomes the retry's delay
 *   return { batchItemFailures: retry.map(({ record }) => ({ itemIdentifier: record.messageId })) };
 * }
 * ```
 *
 * `ack` and `dead` leave the batch (a dead letter is already recorded, with its reason); nothing
 * is acked before what it caused has been handed to `sender`.
 */
export function createProcessor(options: ProcessorOptions): Processor {
  const { flow, state, blobs, sender } = options;
  const bucket = options.bucket ?? 'dataflow';
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLogger;
  const copies = oneAtATime();
  const redact = options.redact ?? ((text: string) => text);
  const listener: FlowEventListener = options.onEvent ?? (() => {});
  /** Listeners watch; whatever they throw must never change what happens to a message. */
  const emit: FlowEventListener = (event) => {
    try {
      listener(event);
    } catch (error) {
      log.error({ event: event.kind, reason: describeError(coerceError(error)) }, 'an event listener threw');
    }
  };
  const consumers = new Map(flow.consumers().map((c) => [c.name, c]));
  for (const name of Object.keys(options.retry?.perConsumer ?? {})) {
    if (!consumers.has(name)) throw new Error(`a retry policy is given for ${name}, but flow ${flow.name} has no consumer of that name; it has ${[...consumers.keys()].join(', ')}`);
  }
  const policies = new Map([...consumers.values()].map((c) => [c.name, resolveRetryPolicy(c.name, c.retry, options.retry, options.retry?.perConsumer?.[c.name])]));
  const workers = new Map(flow.workers.map((w) => [w.name, w]));
  const accessOf = new Map(flow.workers.map((w) => [w.name, consumerAccess(flow, w.name)]));
  const rules = new Map(flow.mediator.rules.map((r) => [r.on.type, r]));

  /** Parses and validates; throws InvalidMessageError naming the message and field. */
  async function check(input: unknown): Promise<Message> {
    const raw = typeof input === 'string' ? parseJson(input) : input;
    checkMessage(raw); // before anything that recurses on it
    const envelope = normalizeEnvelope(raw, clock.now());
    const definition = flow.definition(envelope.type);
    if (!definition) {
      throw new InvalidMessageError(
        `unknown message type ${JSON.stringify(envelope.type)} (message ${envelope.id}); this flow knows ${flow.types.join(', ')}`,
        [`type: unknown type ${JSON.stringify(envelope.type)}`],
      );
    }
    return validatePayload(definition, envelope);
  }

  function toNew(message: Message, causedBy?: string): NewMessage {
    const definition = flow.definition(message.type);
    return {
      id: message.id,
      type: message.type,
      body: message,
      key: definition?.key?.(message),
      validTime: definition?.time?.(message),
      causedBy,
    };
  }

  async function recordInvalid(input: unknown, error: Error): Promise<{ id: string; reason: string }> {
    // Too deep for the stores' recursive JSON: kept as its text, as input that never parsed is.
    const deep = nestsDeeperThan(input, maxMessageDepth);
    const top = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
    const object = deep ? undefined : top;
    const claimed = typeof top?.id === 'string' && top.id !== '' ? top.id : undefined;
    const type = object ? (typeof object.type === 'string' && object.type !== '' ? object.type : INVALID_TYPE) : UNPARSED_TYPE;
    let reason = redact(describeError(error));
    const now = clock.now();
    let id = claimed ?? newId();
    const keep = (body: StoredMessage['body']) => state.save([{ id, type, body, status: 'dead', reason }], now);
    const body = (): StoredMessage['body'] => withoutNul(object ? ({ ...object, id, type } as Message) : { raw: typeof input === 'string' ? input : (jsonText(input) ?? String(input)) });
    if ((await keep(body())).length === 0) {
      const known = await state.get(id);
      if (known?.status === 'pending' && known.type === type) {
        // The recorded message itself no longer passes (a re-driven message, a changed schema).
        await state.settle(id, { status: 'dead', attempts: known.attempts + 1, reason }, [], now);
      } else {
        // The id belongs to another message already recorded: leave it alone, keep this under a new id.
        reason = `${reason}; its id ${claimed} was already taken`;
        id = newId();
        await keep(body());
      }
    }
    emit({ kind: 'dead', consumer: '(input)', id, type, reason });
    log.warn({ messageId: id, type, causedBy: null, reason }, 'rejected');
    return { id, reason };
  }

  /** Validated messages with ids derived from their cause, and who each names as its cause. */
  async function route(outgoing: Outgoing[], cause: Message): Promise<{ message: Message; causedBy: string }[]> {
    const now = clock.now();
    const messages: { message: Message; causedBy: string }[] = [];
    for (const [index, out] of outgoing.entries()) {
      const draft = { ...out, id: derivedId(cause.id, index), dateCreated: now } as Message;
      const flaw = flawOf(draft);
      if (flaw === 'too deep') throw new NonRetriableError(`handling ${cause.type} ${cause.id} sent a ${draft.type} nested deeper than ${maxMessageDepth} levels`);
      if (flaw === 'nul') throw new NonRetriableError(`handling ${cause.type} ${cause.id} sent a ${draft.type} holding a NUL character, which no state store keeps`);
      const definition = flow.definition(draft.type);
      if (!definition) throw new NonRetriableError(`handling ${cause.type} ${cause.id} sent unknown type ${draft.type}`);
      try {
        messages.push({ message: await validatePayload(definition, draft), causedBy: (out as { [causedByKey]?: string })[causedByKey] ?? cause.id });
      } catch (error) {
        throw new NonRetriableError(`handling ${cause.type} ${cause.id} sent an invalid message: ${(error as Error).message}`, { cause: error });
      }
    }
    return messages;
  }

  async function runWorker(consumer: string, message: Message, attempt: number, signal: AbortSignal, messageLog: Logger): Promise<Outgoing[]> {
    const worker = workers.get(consumer)!;
    const onStored = (location: { Key: string }, bytes: number) => emit({ kind: 'stored', consumer, key: location.Key, bytes });
    const context = workerContext(worker, { blobs, bucket, signal, attempt, log: messageLog, onStored, access: accessOf.get(consumer) });
    const payload = await worker.handle(message as never, context);
    return [{ ...(payload as object), type: worker.replies.type }];
  }

  async function runMediator(message: Message, messageLog: Logger): Promise<Outgoing[]> {
    const rule = rules.get(message.type);
    if (!rule) return []; // recorded, nothing to decide
    const context: MediatorContext = {
      state: mediatorState(state),
      urlFor: (location) => blobs.url(location),
      now: () => clock.now(),
      log: messageLog,
    };
    return rule.handle(message, context);
  }

  async function withTimeout<T>(timeoutMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onShutdown = () => controller.abort(new ShutdownAbort('the process is shutting down'));
    options.signal?.addEventListener('abort', onShutdown, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RetryableError(`timed out after ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    try {
      return await Promise.race([run(controller.signal), timeout, aborted]);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onShutdown);
    }
  }

  /** `counted` learns the attempts the store counted, for when the store fails later on. */
  async function processOnce(settings: Settings, delivery: Delivery, counted: { attempts?: number }): Promise<Processed> {
    const consumer = settings.name;
    let message: Message;
    try {
      message = await check(delivery.message);
    } catch (error) {
      await recordInvalid(delivery.message, coerceError(error));
      return { outcome: { kind: 'dead' }, send: [] };
    }

    // Recorded if unknown, and counted in the store before the handler runs, in one step: a
    // handler that takes the process down (the OOM killer) uses up its attempt too, so a message
    // that kills every process is not run forever.
    const known = await state.beginAttempt(toNew(message), clock.now());
    if (known.status !== 'pending') {
      emit({ kind: 'duplicate', consumer, id: message.id, type: message.type });
      // Its handling may have been cut short between settle and send: what it caused and is still
      // pending goes out again (a copy already under way is dropped by id where it arrives).
      const send = known.status === 'done' ? await resendable(await neverDelivered(state, message.id)) : [];
      return { outcome: { kind: 'ack' }, send };
    }
    const attempt = known.attempts;
    const { maxAttempts } = policies.get(consumer)!;
    if (attempt > maxAttempts) {
      // Used up before this one ran: by attempts whose process died, or under a retry policy that
      // allowed more than today's. The store's counts tell which.
      const made = attempt - 1;
      const reason = outOfAttempts(made, known.failures ?? 0, known.reason, maxAttempts);
      if (await state.settle(message.id, { status: 'dead', attempts: made, reason }, [], clock.now())) {
        emit({ kind: 'dead', consumer, id: message.id, type: message.type, reason });
        log.error({ consumer, messageId: message.id, type: message.type, causedBy: known.causedBy ?? null, reason }, 'dead-lettered');
      }
      return { outcome: { kind: 'dead' }, send: [] };
    }
    counted.attempts = attempt;

    // Every line logged about this message says which message it is and what caused it.
    const messageLog = log.child({ consumer, messageId: message.id, type: message.type, causedBy: known.causedBy ?? null, attempt });
    const started = performance.now();
    emit({ kind: 'received', consumer, message, attempt });
    messageLog.debug({}, 'received');
    let routed: { message: Message; causedBy: string }[];
    try {
      const outgoing = await withTimeout(settings.timeoutMs, (signal) =>
        consumer === flow.mediator.name ? runMediator(message, messageLog) : runWorker(consumer, message, attempt, signal, messageLog),
      );
      routed = await route(outgoing, message);
    } catch (thrown) {
      return failed(settings, message, attempt, coerceError(thrown), messageLog);
    }
    const settled = await state.settle(
      message.id,
      { status: 'done', attempts: attempt },
      routed.map((r) => ({ ...toNew(r.message, r.causedBy), queue: flow.route(r.message.type) })),
      clock.now(),
    );
    if (!settled) {
      // Another delivery of the same message settled it first, and sent what it caused.
      emit({ kind: 'duplicate', consumer, id: message.id, type: message.type });
      return { outcome: { kind: 'ack' }, send: [] };
    }
    const caused = routed.map((r) => r.message);
    const durationMs = performance.now() - started;
    emit({ kind: 'done', consumer, message, durationMs, sent: caused });
    messageLog.info({ durationMs: Math.round(durationMs), sent: caused.map((m) => `${m.type} ${m.id}`) }, 'handled');
    // A store that delivers on settle has already enqueued them, in the same transaction.
    const send = state.enqueuesOnSettle ? [] : caused.map((m) => ({ queue: flow.route(m.type)!, message: m }));
    return { outcome: { kind: 'ack' }, send };
  }

  /** Stored messages checked again, those that pass with their queues. */
  async function resendable(stored: StoredMessage[]): Promise<Sent[]> {
    const send: Sent[] = [];
    for (const message of stored) {
      const checked = await recheck(message);
      if (checked) send.push(checked);
    }
    return send;
  }

  async function recheck(stored: StoredMessage): Promise<Sent | undefined> {
    const input = stored.type === UNPARSED_TYPE && 'raw' in stored.body ? stored.body.raw : stored.body;
    try {
      const message = await check(input);
      if (message.id === stored.id) return { queue: flow.route(message.type)!, message };
      throw new InvalidMessageError('it has no id of its own');
    } catch (error) {
      const reason = redact(describeError(coerceError(error)));
      await state.settle(stored.id, { status: 'dead', attempts: stored.attempts + 1, reason }, [], clock.now());
      emit({ kind: 'dead', consumer: '(input)', id: stored.id, type: stored.type, reason });
      return undefined;
    }
  }

  /** Hands messages to the sender, one call per queue. */
  async function sendAll(send: Sent[]): Promise<void> {
    for (const [queue, messages] of byQueue(send)) await sender.send(queue, messages.map((message) => ({ message, attempt: 1 })));
  }

  async function failed(settings: Settings, message: Message, attempt: number, error: Error, messageLog: Logger): Promise<Processed> {
    const consumer = settings.name;
    const policy = policies.get(consumer)!;
    const reason = redact(describeError(error));
    if (error instanceof ShutdownAbort || (options.signal?.aborted && error === options.signal.reason)) {
      // Cut short by the shutdown itself: not the message's fault, so the attempt is given back.
      // Any other failure while stopping (a server down) counts, as it would at any other time.
      await state.recordAttempt(message.id, -1).catch((e: unknown) => messageLog.warn({ reason: describeError(coerceError(e)) }, 'could not give back the attempt'));
      return { outcome: { kind: 'retry', delayMs: 0 }, send: [] };
    }
    if (isRetriable(error) && attempt < policy.maxAttempts) {
      const asked = error instanceof RetryableError ? error.retryAfterMs : undefined;
      const delayMs = asked !== undefined ? Math.min(asked, policy.maxDelayMs) : backoffMs(policy, attempt);
      // Ended, not died: should a later attempt never end, its dead letter tells them apart.
      await state.recordFailure(message.id, reason);
      emit({ kind: 'retry', consumer, message, attempt, delayMs, reason });
      messageLog.warn({ delayMs, reason }, 'failed; will retry');
      return { outcome: { kind: 'retry', delayMs }, send: [] };
    }
    const final = isRetriable(error) ? `${reason} (after ${attempt} attempts)` : reason;
    if (await state.settle(message.id, { status: 'dead', attempts: attempt, reason: final }, [], clock.now())) {
      emit({ kind: 'dead', consumer, id: message.id, type: message.type, reason: final });
      messageLog.error({ reason: final }, 'dead-lettered');
    }
    return { outcome: { kind: 'dead' }, send: [] };
  }

  /**
   * Sends what the batch caused and answers each delivery: one whose messages a queue did not
   * take is delivered again, and its copy then sends them again.
   */
  async function sendCaused(settings: Settings, deliveries: Delivery[], processed: Processed[]): Promise<DeliveryResult[]> {
    const unsent = await sendForBatch(sender, processed.map((p) => p.send));
    const policy = policies.get(settings.name)!;
    return processed.map(({ outcome, send }, index) => {
      const failed = unsent.get(index);
      if (!failed) return { outcome, sent: send };
      const delivery = deliveries[index]!;
      const delayMs = backoffMs(policy, Math.min(Math.max(1, delivery.attempt), 8));
      const reason = redact(failed.errors.map((e) => describeError(coerceError(e))).join('; '));
      log.error({ consumer: settings.name, messageId: idOf(delivery) ?? null, attempt: delivery.attempt, delayMs, queues: [...failed.queues], reason }, 'handled, but what it caused was not sent; will deliver again');
      return { outcome: { kind: 'retry', delayMs }, sent: send.filter(({ queue }) => !failed.queues.has(queue)) };
    });
  }

  /** One delivery, with the store's failures turned into outcomes. */
  async function processOne(settings: Settings, delivery: Delivery): Promise<Processed> {
    const consumer = settings.name;
    const counted: { attempts?: number } = {};
    try {
      return await processOnce(settings, delivery, counted);
    } catch (thrown) {
      // The state store failed. Busy or unreachable: nothing was decided, so deliver again.
      // Refused for good (bad data), or failing past the last try: dead-letter it, if the store
      // takes that much; else keep delivering, slowly, rather than lose the message.
      const error = coerceError(thrown);
      const reason = redact(describeError(error));
      const id = (delivery.message as { id?: unknown } | null)?.id;
      const policy = policies.get(consumer)!;
      // The attempts the store counted, when it got that far: the transport's count starts again
      // with every restart of an embedded runtime.
      const attempts = counted.attempts ?? delivery.attempt;
      const failure = `the state store could not record the outcome: ${reason}`;
      if ((error instanceof StoreRefusedError || attempts >= policy.maxAttempts) && typeof id === 'string') {
        const final = `${failure} (after ${attempts} attempts)`;
        const settled = await state.settle(id, { status: 'dead', attempts, reason: final }, [], clock.now()).catch(() => undefined);
        if (settled) {
          emit({ kind: 'dead', consumer, id, type: String((delivery.message as { type?: unknown }).type), reason: final });
          log.error({ consumer, messageId: id, attempt: attempts, reason: final }, 'dead-lettered');
          return { outcome: { kind: 'dead' }, send: [] };
        }
        // Settled already (done, by this delivery before the store failed, or by another copy):
        // delivered again, its copy finds it settled and sends what it caused that is pending.
      }
      // A counted attempt that ended here did not die with its process; if the store takes this
      // much, it is recorded as a failure.
      if (counted.attempts !== undefined && typeof id === 'string') await state.recordFailure(id, failure).catch(() => undefined);
      const delayMs = backoffMs(policy, Math.min(attempts, 8));
      log.error({ consumer, messageId: typeof id === 'string' ? id : null, attempt: attempts, delayMs, reason }, 'could not record the outcome; will deliver again');
      return { outcome: { kind: 'retry', delayMs }, send: [] };
    }
  }

  async function processBatch(consumer: string, deliveries: Delivery[], batchOptions: ProcessBatchOptions = {}): Promise<DeliveryResult[]> {
    const settings = consumers.get(consumer);
    if (!settings) throw new Error(`no consumer named ${consumer} in flow ${flow.name}; it has ${[...consumers.keys()].join(', ')}`);
    const concurrency = batchOptions.concurrency ?? settings.concurrency;
    const processed = await mapBounded(deliveries.map(parsed), concurrency, (delivery) => copies.run(idOf(delivery), () => processOne(settings, delivery)));
    return sendCaused(settings, deliveries, processed);
  }

  return {
    async accept(inputs) {
      const valid: Sent[] = [];
      const rejected: Rejected[] = [];
      for (const [index, given] of inputs.entries()) {
        // The id a message is known by from here on, dead or alive, and the one its errors name.
        const input = withId(given);
        try {
          const message = await check(input);
          valid.push({ queue: flow.route(message.type)!, message });
        } catch (error) {
          rejected.push({ index, ...(await recordInvalid(input, coerceError(error))) });
        }
      }
      // One save for them all; a store that enqueues on save records and enqueues in that one transaction.
      await state.save(valid.map(({ queue, message }) => ({ ...toNew(message), queue })), clock.now());
      if (!state.enqueuesOnSettle) await sendAll(valid);
      return { accepted: valid.map((v) => v.message), rejected };
    },

    recheck,

    async resend(stored) {
      const send = await resendable(stored);
      await sendAll(send);
      return send;
    },

    processBatch,
    async process(consumer, delivery) {
      const [result] = await processBatch(consumer, [delivery]);
      return result!;
    },
  };
}
