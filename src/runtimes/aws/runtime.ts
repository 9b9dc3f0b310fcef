/**
 * The AWS runtime in one process: `dataflow run --runtime aws` (and `send`, `redrive`, the
 * dashboard). It does one cold start, as a Lambda function would, and hosts the very handlers a
 * deployment runs (see ./handlers.ts) through `hostEventSources`, the local stand-in for Lambda's
 * event source mapping: it long-polls each consumer's queue, builds SQS events in batches, runs
 * several at once per queue, and honours visibility timeouts and partial batch responses.
 *
 * Which queues it polls comes from the roles, as on the cluster runtime: consumers: [] polls
 * none (a process that only sends and waits, the rest running elsewhere).
 */
import { hostEventSources, type EventSourceHost } from '../../adapters/sqs/event-source-host.js';
import { queueDepths } from '../../adapters/sqs/queues.js';
import { describeDepths, watchQueues } from '../../adapters/sqs/queue-watch.js';
import { SettleWaitError, waitUntilSettled } from '../../core/settle-wait.js';
import type { FlowEventListener } from '../../core/events.js';
import type { ProvidedFlow } from '../../core/flow-module.js';
import type { Logger } from '../../core/logger.js';
import type { RetryOverrides } from '../../core/retry-policy.js';
import { createRuntime, type Runtime } from '../../core/runtime.js';
import { coldStart, type AwsContext, type ColdStartOptions } from './cold-start.js';
import { consumerHandler } from './handlers.js';
import type { AwsRuntimeSettings } from './settings.js';

export interface AwsRuntimeOptions {
  settings: AwsRuntimeSettings;
  /** The consumers whose queues this process polls. @defaultValue all of the flow's */
  consumers?: (flow: ProvidedFlow['flow']) => string[];
  /** Makes the logger once the secrets are known. */
  log?: (secrets: readonly string[]) => Logger;
  retry?: RetryOverrides;
  /** `--flow`. */
  flow?: string;
  /** Batches handled at once per queue (the mapping's MaximumConcurrency), per consumer. @defaultValue 4 */
  concurrency?: Readonly<Record<string, number>>;
  /** Records in one event. @defaultValue 10 */
  batchSize?: number;
  /** How long one receive waits (long polling), 0 to 20. @defaultValue 20 */
  waitTimeSeconds?: number;
  /** See {@link ColdStartOptions.wrapState}. */
  wrapState?: ColdStartOptions['wrapState'];
}

export interface AwsRuntime extends Runtime {
  readonly provided: ProvidedFlow;
  readonly context: AwsContext;
}

export const DEFAULT_HANDLERS_PER_QUEUE = 4;

/** How often a wait looks at the queues' depths, to tell one nobody receives from. */
const LOOK_EVERY_MS = 2_000;

export async function openAwsRuntime(options: AwsRuntimeOptions): Promise<AwsRuntime> {
  const listeners = new Set<FlowEventListener>();
  const context = await coldStart(options.settings, {
    log: options.log,
    retry: options.retry,
    flow: options.flow,
    wrapState: options.wrapState,
    onEvent: (event) => {
      for (const listener of listeners) listener(event);
    },
  });
  const { flow } = context.provided;
  let consumers: string[];
  try {
    consumers = options.consumers?.(flow) ?? flow.consumers().map((c) => c.name);
  } catch (error) {
    await context.close();
    throw error;
  }
  // Sends, re-drives and waits, consuming nothing itself: the hosted handlers do that.
  const base = createRuntime({
    flow,
    state: { ...context.state, close: async () => {} },
    blobs: context.blobs,
    transport: context.sender,
    bucket: options.settings.names.bucket,
    consumers: [],
    log: context.log,
    retry: options.retry,
    redact: context.redact,
  });
  let host: EventSourceHost | undefined;
  const contextSource = async () => context;
  const { prefix } = options.settings.names;

  return {
    ...base,
    provided: context.provided,
    context,
    state: context.state,
    async start() {
      await base.start();
      if (host || consumers.length === 0) return;
      host = hostEventSources(
        consumers.map((consumer) => ({
          queueName: options.settings.names.queueOf(consumer),
          handler: consumerHandler(consumer, contextSource),
          batchSize: options.batchSize,
          maxConcurrency: options.concurrency?.[consumer] ?? DEFAULT_HANDLERS_PER_QUEUE,
        })),
        { client: context.sqs, urls: context.urls, waitTimeSeconds: options.waitTimeSeconds, log: context.log },
      );
    },
    /**
     * As every runtime's, and it gives up early, naming the queue, when what it waits for sits in a
     * queue nobody receives from (no host runs that consumer here or elsewhere, and no Lambda
     * function is mapped to it): see `watchQueues`. On a timeout it says where the rest still waits.
     */
    async settled(ids, waitOptions) {
      const names = flow.consumers().map((c) => c.name);
      const watch = watchQueues({ client: context.sqs, prefix, urls: context.urls });
      await watch.look(names).catch(() => undefined);
      // One look at a time, the next one a while after the last ended: a slow SQS never piles them up.
      let timer: NodeJS.Timeout | undefined;
      let watching = true;
      const lookLater = () => {
        timer = setTimeout(() => void watch.look(names).catch(() => undefined).finally(() => watching && lookLater()), LOOK_EVERY_MS);
      };
      lookLater();
      try {
        await waitUntilSettled({ state: context.state, transport: context.sender, flow, descendants: (roots) => base.descendants(roots), unserved: watch.unserved, on: (listener) => base.on(listener) }, ids, waitOptions);
      } catch (error) {
        if (!(error instanceof SettleWaitError) || error.unserved.length > 0) throw error;
        const pending = (await base.descendants(ids).catch(() => [])).filter((m) => m.status === 'pending');
        const queues = [...new Set(pending.flatMap((m) => flow.route(m.type) ?? []))];
        const depths = queues.length > 0 ? await queueDepths(queues, { client: context.sqs, prefix, urls: context.urls }).catch(() => []) : [];
        const named = pending.slice(0, 5).map((m) => `${m.type} ${m.id}`).join(', ') + (pending.length > 5 ? ` and ${pending.length - 5} more` : '');
        const where = depths.length > 0 ? `; waited for ${named}, in ${describeDepths(depths)}` : '';
        throw new SettleWaitError(`${error.message}${where}`, error.pending, []);
      } finally {
        watching = false;
        clearTimeout(timer);
      }
    },
    on(listener) {
      const offBase = base.on(listener);
      listeners.add(listener);
      return () => {
        offBase();
        listeners.delete(listener);
      };
    },
    /** Nothing waiting, in flight or delayed in any of the flow's queues, and no batch running here, twice in a row. */
    async idle() {
      const names = flow.consumers().map((c) => c.name);
      let quiet = 0;
      while (quiet < 2) {
        const depths = await queueDepths(names, { client: context.sqs, prefix, urls: context.urls });
        const busy = (host?.busy() ?? 0) > 0 || depths.some((d) => d.waiting + d.inFlight + d.delayed > 0);
        quiet = busy ? 0 : quiet + 1;
        if (quiet < 2) await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
    async stop() {
      try {
        await host?.stop();
        await base.stop();
      } finally {
        await context.close();
      }
    },
  };
}
