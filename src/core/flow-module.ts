/**
 * What a flow module gives a host (the `dataflow` command, a test, a serverless handler): its
 * default export, or its export named `flow`, is a {@link Flow} or a {@link FlowFactory}. A factory
 * receives the runtime's ports and may return the flow alone or a {@link ProvidedFlow} with the
 * resources it opened, which the host closes when the runtime stops.
 */
import type { BlobStore } from '../ports/blob-store.js';
import type { Mailer } from '../ports/mailer.js';
import type { FlowEvent } from './events.js';
import type { Flow } from './flow.js';
import type { FlowView } from './flow-view.js';

export type * from './flow-view.js';

/** The settings a host read for the flow; the flow picks what it understands. */
export interface FlowSettings {
  /** The config file's values (without the host's own keys, such as `flow`); `{}` when there is no file. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Where `config` was read from, to name it in errors. */
  readonly configFile?: string;
  /** The environment the host runs in. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The runtime's ports a factory may use: its workers send mail and read blobs through these. */
export interface FlowPorts {
  readonly mailer: Mailer;
  readonly blobs: BlobStore;
  readonly settings: FlowSettings;
}

/** A flow and what its factory opened for it. */
export interface ProvidedFlow {
  readonly flow: Flow;
  /** What the flow does and what it uses, for the first line a command prints, e.g. `weather GIFs; maps from …`. @defaultValue the flow's name */
  readonly about?: string;
  /**
   * Secret values the factory read (an API key, a password in a URL): the host scrubs them from
   * every log line and every dead letter's reason, as it does its own. The host knows no flow's
   * settings, so a flow that reads a secret names it here.
   */
  readonly secrets?: readonly string[];
  /** Closes what the factory opened (a server, a connection); called once, after the runtime stopped. */
  close?(): Promise<void>;
  /** Tells a person what a `run --once` made; without it the host counts the messages by type. */
  report?(context: RunReportContext): RunReport;
  /** Views of the flow's own for the dashboard, e.g. a gallery of what it made (see flow-view.ts). */
  readonly views?: readonly FlowView[];
}

export interface RunReportContext {
  readonly blobs: BlobStore;
  /** The folder `.eml` mail goes to, when mail is not sent over SMTP. */
  readonly outbox?: string;
}

/** Listens to a run's events, then sums up what it made. */
export interface RunReport {
  listen(event: FlowEvent): void;
  /** `record` is printed as a JSON line when the output is piped, `text` to a person. */
  summary(): Promise<{ record: Record<string, unknown>; text: string }>;
}

export type FlowFactory = (ports: FlowPorts) => Flow | ProvidedFlow | Promise<Flow | ProvidedFlow>;

/** What a flow module exports: a flow, or a factory of one. */
export type FlowSource = Flow | FlowFactory;

/** True for what `defineFlow` returns (checked by shape: the module may hold its own copy of the framework). */
export function isFlow(value: unknown): value is Flow {
  const flow = value as Partial<Flow> | null;
  return (
    typeof flow === 'object' &&
    flow !== null &&
    typeof flow.name === 'string' &&
    Array.isArray(flow.workers) &&
    typeof flow.mediator === 'object' &&
    typeof flow.route === 'function' &&
    typeof flow.definition === 'function' &&
    typeof flow.consumers === 'function'
  );
}

/**
 * Turns what a module exported into a flow: calls a factory with the ports. `name` says where the
 * source came from, for the error when it is no flow.
 */
export async function provideFlow(source: unknown, ports: FlowPorts, name = 'the flow module'): Promise<ProvidedFlow> {
  if (isFlow(source)) return { flow: source };
  if (typeof source !== 'function') throw new Error(`${name} exports ${describe(source)}, not a flow (defineFlow) or a function that returns one`);
  const made: unknown = await source(ports);
  if (isFlow(made)) return { flow: made };
  const provided = made as Partial<ProvidedFlow> | null;
  if (typeof provided === 'object' && provided !== null && isFlow(provided.flow)) {
    if (provided.close !== undefined && typeof provided.close !== 'function') throw new Error(`${name}: the close its function returned is ${describe(provided.close)}, not a function`);
    if (provided.secrets !== undefined && !(Array.isArray(provided.secrets) && provided.secrets.every((s) => typeof s === 'string'))) {
      await provided.close?.();
      throw new Error(`${name}: the secrets its function returned are ${describe(provided.secrets)}, not an array of strings`);
    }
    return provided as ProvidedFlow;
  }
  if (typeof provided?.close === 'function') await provided.close();
  throw new Error(`${name}: its function returned ${describe(made)}, not a flow (defineFlow) or { flow, close? }`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).join(', ') || '(none)'}`;
  return typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`;
}
