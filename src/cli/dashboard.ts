/** Serves the dashboard for a CLI process, with its metrics; says where, or why not. */
import { startDashboard, type DashboardOptions } from '../dashboard/server.js';
import type { BlobStore, Flow, FlowEvent, FlowView, MessageBrowser, StateStore } from '../index.js';
import { createMetrics } from '../observability/metrics.js';
import { runtimeEnv } from '../runtimes/env.js';

export interface DashboardParts {
  state: StateStore;
  flow: Flow;
  /** The flow module's own views (`ProvidedFlow.views`); a flow without them shows none. */
  views?: readonly FlowView[];
  blobs: BlobStore;
  /** This process's flow events, for the metrics. */
  onEvent?: (listener: (event: FlowEvent) => void) => () => void;
  /**
   * True when every message is handled in this process, so its events tell the page all that
   * changes; otherwise the dashboard polls the store.
   */
  seesEverything: boolean;
  redrive?: DashboardOptions['redrive'];
}

/** Starts the dashboard; a port already taken is reported and the process goes on without it. */
export async function serveDashboard(parts: DashboardParts, address: { port: number; host: string; token?: string }, say: (text: string) => void) {
  const { port } = address;
  if (!isBrowser(parts.state)) throw new Error('this state store cannot be browsed');
  const metrics = createMetrics({ flow: parts.flow, browser: parts.state });
  parts.onEvent?.(metrics.listen);
  try {
    const dashboard = await startDashboard({
      state: parts.state,
      flow: parts.flow,
      blobs: parts.blobs,
      onEvent: parts.seesEverything ? parts.onEvent : undefined,
      redrive: parts.redrive,
      metrics,
      views: parts.views,
      host: address.host,
      port,
      token: address.token,
    });
    say(`dashboard: ${dashboard.url}`);
    return dashboard;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    say(`dashboard: port ${port} is taken, so this process serves none (set ${runtimeEnv.dashboardPort} to another port, 0 for any, or off)`);
    return undefined;
  }
}

function isBrowser(state: StateStore): state is StateStore & MessageBrowser {
  const candidate = state as Partial<MessageBrowser>;
  return typeof candidate.search === 'function' && typeof candidate.counts === 'function' && typeof candidate.activity === 'function';
}
