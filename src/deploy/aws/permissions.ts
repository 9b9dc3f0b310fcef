/**
 * Each function's IAM statements, from the flow: exactly what its handler calls, and no more.
 *
 * - A consumer's function receives from, deletes from and delays (visibility) its own queue
 *   only; sends to the queues of the consumers its messages go to (a worker to the mediator, the
 *   mediator to the workers); records messages in the state table and queries the indexes its
 *   handler queries;
 *   reads the blob prefixes it declares and writes its own (see core/flow-access.ts); reads the
 *   stack's secret only when it declares a secret setting; sends mail only when it declares so,
 *   and then only as the configured SES identity.
 * - The schedule's function records its tick's inputs and sends them to the queues they go to.
 *
 * Resources are {@link ResourceRef}s, so one set of statements serves both a stack (each
 * reference becomes a CloudFormation reference to its construct) and a run on real or emulated
 * AWS ({@link resourceArn} makes ARNs from the names, account and region). No statement has a
 * wildcard action; resources are one table, its indexes, named queues, key prefixes of one
 * bucket, one secret and one identity.
 */
import { consumerAccess } from '../../core/flow-access.js';
import type { Flow } from '../../core/flow.js';
import { INDEX } from '../../adapters/dynamodb/table.js';
import { identityOf } from '../../adapters/ses/identity.js';
import type { AwsResourceNames } from '../../runtimes/aws/resource-names.js';

/** A resource of the stack, named by what it is rather than by its ARN. */
export type ResourceRef =
  | { readonly kind: 'table' }
  | { readonly kind: 'table-index'; readonly index: string }
  | { readonly kind: 'queue'; readonly consumer: string }
  | { readonly kind: 'dead-letter-queue'; readonly consumer: string }
  /** The objects of the bucket whose keys begin with `prefix` (`''`: every object). */
  | { readonly kind: 'objects'; readonly prefix: string }
  /** The stack's secret (an SSM parameter or a Secrets Manager secret). */
  | { readonly kind: 'secret' }
  | { readonly kind: 'email-identity'; readonly identity: string };

export interface PermissionStatement {
  /** Unique within its function, letters and digits (IAM's Sid). */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly ResourceRef[];
}

export interface FunctionPermissions {
  /** The consumer the function runs, or `schedule`. */
  readonly function: string;
  readonly statements: readonly PermissionStatement[];
}

export interface PermissionOptions {
  /** Where the stack keeps its secret: the read action differs. @defaultValue 'ssm' */
  readonly secretStore?: 'ssm' | 'secretsmanager';
  /** The SES identity mail goes from (an address or a domain, e.g. `gifs@example.com`): needed when a consumer sends mail over SES. */
  readonly mailIdentity?: string;
  /** The mail goes over SMTP, not SES: no SES statement. @defaultValue false */
  readonly smtp?: boolean;
  /** The time whose schedule inputs tell which queues the schedule sends to. @defaultValue 0 */
  readonly scheduleAt?: number;
}

/** The name of the schedule's function among {@link functionPermissions}. */
export const SCHEDULE_FUNCTION = 'schedule';

/** Recording and settling messages, the fan-in's writes (a transaction is its puts and updates to IAM). */
const RECORD_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
/**
 * The indexes a handler queries: a copy of a message already handled finds what it caused by its
 * cause; the mediator's rules also find messages by type, and by type and key.
 */
export const HANDLER_INDEXES = { worker: [INDEX.byCause], mediator: [INDEX.byCause, INDEX.byTypeKey, INDEX.byType] } as const;
/** What Lambda's event source mapping needs, and the handler's delaying of a retried message. */
const OWN_QUEUE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const SEND_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueUrl'];
const SECRET_ACTIONS = { ssm: ['ssm:GetParameter'], secretsmanager: ['secretsmanager:GetSecretValue'] } as const;

/** One entry per consumer of the flow, then the schedule's when the flow has one. */
export function functionPermissions(flow: Flow, options: PermissionOptions = {}): FunctionPermissions[] {
  const record: PermissionStatement = { sid: 'RecordMessages', actions: RECORD_ACTIONS, resources: [{ kind: 'table' }] };
  const query = (indexes: readonly string[]): PermissionStatement => ({ sid: 'QueryMessages', actions: ['dynamodb:Query'], resources: indexes.map((index) => ({ kind: 'table-index', index })) });
  const consumers = flow.consumers().map(({ name }): FunctionPermissions => {
    const access = consumerAccess(flow, name);
    const statements: PermissionStatement[] = [
      { sid: 'OwnQueue', actions: OWN_QUEUE_ACTIONS, resources: [{ kind: 'queue', consumer: name }] },
      sendTo(access.sendsTo),
      record,
      query(name === flow.mediator.name ? HANDLER_INDEXES.mediator : HANDLER_INDEXES.worker),
    ];
    if (access.reads.length > 0) statements.push({ sid: 'ReadBlobs', actions: ['s3:GetObject'], resources: access.reads.map((prefix) => ({ kind: 'objects', prefix })) });
    if (access.writes.length > 0) statements.push({ sid: 'WriteBlobs', actions: ['s3:PutObject'], resources: access.writes.map((prefix) => ({ kind: 'objects', prefix })) });
    if (access.secrets.length > 0) statements.push({ sid: 'ReadSecret', actions: SECRET_ACTIONS[options.secretStore ?? 'ssm'], resources: [{ kind: 'secret' }] });
    if (access.sendsMail && !options.smtp) {
      if (!options.mailIdentity) throw new Error(`${name} sends mail: the SES identity it sends as is needed (DATAFLOW_SES_FROM), or mail over SMTP`);
      statements.push({ sid: 'SendMail', actions: ['ses:SendEmail'], resources: [{ kind: 'email-identity', identity: identityOf(options.mailIdentity) }] });
    }
    return { function: name, statements: statements.filter((s) => s.resources.length > 0) };
  });
  if (!flow.schedule) return consumers;
  const scheduled = flow.schedule.inputs(options.scheduleAt ?? 0).map((input) => flow.route(String((input as { type?: unknown } | null)?.type)));
  const targets = [...new Set(scheduled.filter((consumer): consumer is string => consumer !== undefined))];
  // It records its inputs (and a bad one as a dead letter) and queries nothing.
  const scheduleRecord: PermissionStatement = { ...record, actions: RECORD_ACTIONS.filter((action) => action !== 'dynamodb:BatchGetItem') };
  return [...consumers, { function: SCHEDULE_FUNCTION, statements: [sendTo(targets), scheduleRecord].filter((s) => s.resources.length > 0) }];
}

function sendTo(consumers: readonly string[]): PermissionStatement {
  return { sid: 'SendToQueues', actions: SEND_ACTIONS, resources: consumers.map((consumer) => ({ kind: 'queue', consumer })) };
}

/** Whether these statements let a function read the stack's secret: only such a function is told where it is. */
export function readsSecret(statements: readonly PermissionStatement[]): boolean {
  return statements.some((s) => s.resources.some((r) => r.kind === 'secret'));
}

/** Where the resources live, to make ARNs of references. */
export interface ArnContext {
  readonly names: AwsResourceNames;
  readonly account: string;
  readonly region: string;
  /** @defaultValue 'aws' */
  readonly partition?: string;
  /** The secret's store and name (an SSM parameter name, or a Secrets Manager secret's name or ARN). */
  readonly secret: { readonly store: 'ssm' | 'secretsmanager'; readonly name: string };
}

/** The ARN of a reference. A Secrets Manager secret given by name matches its ARN's random suffix (`-??????`). */
export function resourceArn(ref: ResourceRef, where: ArnContext): string {
  const { names, account, region } = where;
  const partition = where.partition ?? 'aws';
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  switch (ref.kind) {
    case 'table':
      return arn('dynamodb', `table/${names.table}`);
    case 'table-index':
      return arn('dynamodb', `table/${names.table}/index/${ref.index}`);
    case 'queue':
      return arn('sqs', names.queueOf(ref.consumer));
    case 'dead-letter-queue':
      return arn('sqs', names.deadLetterQueueOf(ref.consumer));
    case 'objects':
      return `arn:${partition}:s3:::${names.bucket}/${ref.prefix}*`;
    case 'secret': {
      const { store, name } = where.secret;
      if (name.startsWith('arn:')) return name;
      return store === 'ssm' ? arn('ssm', `parameter/${name.replace(/^\//, '')}`) : arn('secretsmanager', `secret:${name}-??????`);
    }
    case 'email-identity':
      return arn('ses', `identity/${ref.identity}`);
  }
}

/** An IAM policy document of statements, each resource made by `resolve` (an ARN, or a CloudFormation reference). */
export function policyDocument<R>(statements: readonly PermissionStatement[], resolve: (ref: ResourceRef) => R): { Version: '2012-10-17'; Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: R[] }[] } {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => ({ Sid: s.sid, Effect: 'Allow', Action: [...s.actions], Resource: s.resources.map(resolve) })),
  };
}
