/**
 * What a flow module gives: a flow, or a function of the runtime's ports that returns one (so the
 * flow's workers get the runtime's mailer, and its mediator the settings).
 */
import type { Flow } from '../core/flow.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Mailer } from '../ports/mailer.js';

export interface FlowPorts {
  mailer: Mailer;
  blobs: BlobStore;
  /** The flow's own settings, as the runtime was given them. */
  settings: Readonly<Record<string, unknown>>;
}

export type FlowFactory = (ports: FlowPorts) => Flow | Promise<Flow>;

export type FlowSource = Flow | FlowFactory;

export async function resolveFlow(source: FlowSource, ports: FlowPorts): Promise<Flow> {
  const flow = typeof source === 'function' ? await source(ports) : source;
  if (!flow || typeof flow !== 'object' || !Array.isArray(flow.workers) || typeof flow.route !== 'function') {
    throw new Error(`expected a flow (made with defineFlow) or a function of { mailer, blobs, settings } returning one, got ${typeof flow}`);
  }
  return flow;
}
