/**
 * What each consumer of a flow may touch beyond its own queue and the state store: the secret
 * settings its handling needs, the blob key prefixes it reads, and whether it sends mail. A flow
 * declares it per consumer (`defineFlow({ access })`); a deployment turns it into each function's
 * permissions, a host reads a secret only for a consumer that declares it, and every runtime holds
 * a worker's blob reads and writes to it (`blobRefusal`), so what IAM would refuse fails locally too.
 *
 * A worker writes only under its own prefix `<worker name>/` (that is what `WorkerBlobs.put`
 * does), so what it declares it writes lies there; the mediator writes no blob.
 *
 * A consumer the flow declares nothing for gets the default: it reads every blob, a worker writes
 * its own prefix and may send mail, and it reads no secret. A declared consumer gets exactly what
 * it declares: a field left out means none.
 */
import type { Flow } from './flow.js';

export interface ConsumerAccess {
  /** Names of the secret settings its handling needs (as the flow's factory reads them from `settings.env`). @defaultValue none */
  readonly secrets?: readonly string[];
  /** Key prefixes in the bucket it reads, each ending with `/`, e.g. `amp-image-fetcher/`. @defaultValue none when declared */
  readonly reads?: readonly string[];
  /** Key prefixes it writes, each under the worker's own `<worker name>/`. @defaultValue none when declared */
  readonly writes?: readonly string[];
  /** It sends mail through the mailer port. @defaultValue false when declared */
  readonly sendsMail?: boolean;
}

/** A consumer's access with the defaults applied, and where its messages go. */
export interface ResolvedAccess {
  readonly consumer: string;
  /** False when the flow declares nothing for it, so it has the default. */
  readonly declared: boolean;
  readonly secrets: readonly string[];
  /** Key prefixes it reads; `''` is the whole bucket. */
  readonly reads: readonly string[];
  /** Key prefixes it writes: under a worker's own, none for the mediator. */
  readonly writes: readonly string[];
  readonly sendsMail: boolean;
  /** The consumers whose queues it sends to. */
  readonly sendsTo: readonly string[];
}

const FIELDS = ['secrets', 'reads', 'writes', 'sendsMail'];
const SETTING = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9!_.'()-]+$/;

/** Throws naming the consumer and the field when a declaration cannot be right. */
export function checkAccess(flowName: string, mediator: string, workers: readonly string[], access: Readonly<Record<string, ConsumerAccess>>): void {
  const consumers = [mediator, ...workers];
  for (const [consumer, declared] of Object.entries(access)) {
    const where = `flow ${flowName}: access of ${consumer}`;
    if (!consumers.includes(consumer)) throw new Error(`flow ${flowName}: access names ${JSON.stringify(consumer)}, which is no consumer; its consumers are ${consumers.join(', ')}`);
    if (typeof declared !== 'object' || declared === null) throw new Error(`${where} must be an object of ${FIELDS.join(', ')}`);
    const unknown = Object.keys(declared).filter((key) => !FIELDS.includes(key));
    if (unknown.length > 0) throw new Error(`${where} has unknown field ${unknown.join(', ')}; it takes ${FIELDS.join(', ')}`);
    for (const name of listOf(declared.secrets, `${where}: secrets`)) {
      if (!SETTING.test(name)) throw new Error(`${where}: secrets has ${JSON.stringify(name)}, not a setting name (letters, digits and _, not starting with a digit)`);
    }
    for (const prefix of listOf(declared.reads, `${where}: reads`)) {
      const issue = prefixIssue(prefix);
      if (issue) throw new Error(`${where}: reads has ${JSON.stringify(prefix)}: ${issue}`);
    }
    for (const prefix of listOf(declared.writes, `${where}: writes`)) {
      const issue = prefixIssue(prefix);
      if (issue) throw new Error(`${where}: writes has ${JSON.stringify(prefix)}: ${issue}`);
      if (consumer === mediator) throw new Error(`${where}: writes has ${JSON.stringify(prefix)}, but the mediator writes no blob`);
      if (!prefix.startsWith(`${consumer}/`)) throw new Error(`${where}: writes has ${JSON.stringify(prefix)}, but a worker writes only under its own prefix ${JSON.stringify(`${consumer}/`)}`);
    }
    if (declared.sendsMail !== undefined && typeof declared.sendsMail !== 'boolean') throw new Error(`${where}: sendsMail must be true or false`);
  }
}

/** What a consumer of the flow may touch, its declaration or the default. */
export function consumerAccess(flow: Flow, consumer: string): ResolvedAccess {
  const isMediator = consumer === flow.mediator.name;
  const worker = flow.workers.find((w) => w.name === consumer);
  if (!isMediator && !worker) throw new Error(`flow ${flow.name} has no consumer ${JSON.stringify(consumer)}; its consumers are ${flow.consumers().map((c) => c.name).join(', ')}`);
  const declared = flow.access?.[consumer];
  return {
    consumer,
    declared: declared !== undefined,
    secrets: [...new Set(declared?.secrets ?? [])],
    reads: declared ? [...new Set(declared.reads ?? [])] : [''],
    writes: declared ? [...new Set(declared.writes ?? [])] : worker ? [`${worker.name}/`] : [],
    sendsMail: declared ? declared.sendsMail === true : !isMediator,
    sendsTo: worker ? [flow.route(worker.replies.type)!] : mediatorSendsTo(flow),
  };
}

/**
 * Why a worker may not read or write the blob at `key`, by what its consumer declares; undefined
 * when it may. Every runtime asks, so a flow that reads outside its declaration fails on one's own
 * machine as IAM would make it fail on AWS.
 */
export function blobRefusal(access: ResolvedAccess, doing: 'read' | 'write', key: string): string | undefined {
  const allowed = doing === 'read' ? access.reads : access.writes;
  if (allowed.some((prefix) => key.startsWith(prefix))) return undefined;
  const may = allowed.length === 0 ? `declares no ${doing === 'read' ? 'reads' : 'writes'}` : `may ${doing} only under ${allowed.join(', ')}`;
  return `${access.consumer} ${may}, not ${JSON.stringify(key)}: add its prefix to ${doing === 'read' ? 'reads' : 'writes'} in defineFlow({ access: { ${JSON.stringify(access.consumer)}: … } })`;
}

/** The secret settings these consumers of the flow declare (every consumer's, by default), each once. */
export function declaredSecrets(flow: Flow, consumers: readonly string[] = flow.consumers().map((c) => c.name)): string[] {
  return [...new Set(consumers.flatMap((consumer) => consumerAccess(flow, consumer).secrets))];
}

/**
 * The mediator's rules may send any message a worker accepts, and any message that no worker
 * sends back, which comes to the mediator itself.
 */
function mediatorSendsTo(flow: Flow): string[] {
  const replies = new Set(flow.workers.map((w) => w.replies.type));
  const toItself = flow.types.some((type) => flow.route(type) === flow.mediator.name && !replies.has(type));
  return [...flow.workers.map((w) => w.name), ...(toItself ? [flow.mediator.name] : [])];
}

function listOf(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw new Error(`${what} must be an array of strings`);
  return value;
}

/** A key prefix: segments as blob keys have them, each followed by `/`. */
function prefixIssue(prefix: string): string | undefined {
  if (prefix === '') return "is empty; '' would be every blob: leave the consumer undeclared for that";
  if (!prefix.endsWith('/')) return "must end with '/', so it names whole segments";
  for (const segment of prefix.slice(0, -1).split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
    if (!PREFIX_SEGMENT.test(segment)) return `segment ${JSON.stringify(segment)} may hold only letters, digits and ! _ . ' ( ) -`;
  }
  return undefined;
}
