/**
 * IAM on moto: principals holding a function's policy, and moto's enforcement switched on and off
 * (`POST /moto-api/reset-auth` sets INITIAL_NO_AUTH_ACTION_COUNT: after that many calls every
 * request must be signed by an IAM user's key and allowed by its policies).
 *
 * moto reads a policy in two ways of its own (moto/iam/access_control.py, moto/core/authorization.py),
 * and {@link asMotoReadsIt} turns a policy IAM reads into the same grants as moto reads them:
 *
 * - It names a call's action after the API operation, where IAM names a batch or a transaction by
 *   the calls it holds: SQS's SendMessageBatch is `sqs:SendMessage` to IAM, DynamoDB's
 *   TransactWriteItems is `dynamodb:PutItem`, `UpdateItem` and `ConditionCheckItem`
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 *   Each statement that grants the single calls is given the batch's name beside them.
 * - It checks a resource only for S3 (bucket and key) and SQS calls that name a queue by its URL;
 *   any other call (DynamoDB, SSM, SES, SQS's GetQueueUrl) is checked against the resource `*`,
 *   which no ARN matches. Such actions move to a statement of their own, on `*`: the actions stay
 *   exactly as they are, and moto still refuses every action a policy does not grant.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Moto } from './moto.js';

export interface PolicyDocument {
  Version: string;
  Statement: { Sid?: string; Effect: 'Allow'; Action: string[]; Resource: string[] }[];
}

export interface Principal {
  user: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** The API operations moto names, for each IAM action that governs them. */
const BATCHES: Readonly<Record<string, readonly string[]>> = {
  'sqs:SendMessage': ['sqs:SendMessageBatch'],
  'sqs:DeleteMessage': ['sqs:DeleteMessageBatch'],
  'sqs:ChangeMessageVisibility': ['sqs:ChangeMessageVisibilityBatch'],
  'dynamodb:PutItem': ['dynamodb:TransactWriteItems'],
  'dynamodb:UpdateItem': ['dynamodb:TransactWriteItems'],
  'dynamodb:ConditionCheckItem': ['dynamodb:TransactWriteItems'],
  'dynamodb:GetItem': ['dynamodb:TransactGetItems'],
};

/** Whether moto checks the resource of a call of this action. */
function resourceChecked(action: string): boolean {
  const service = action.split(':')[0]!;
  return service === 's3' || (service === 'sqs' && action !== 'sqs:GetQueueUrl');
}

export function asMotoReadsIt(policy: PolicyDocument): PolicyDocument {
  return {
    Version: policy.Version,
    Statement: policy.Statement.flatMap((statement) => {
      const actions = [...new Set(statement.Action.flatMap((action) => [action, ...(BATCHES[action] ?? [])]))];
      const checked = actions.filter(resourceChecked);
      const unchecked = actions.filter((action) => !resourceChecked(action));
      return [
        ...(checked.length > 0 ? [{ ...statement, Action: checked }] : []),
        ...(unchecked.length > 0 ? [{ ...statement, ...(statement.Sid ? { Sid: `${statement.Sid}AnyResource` } : {}), Action: unchecked, Resource: ['*'] }] : []),
      ];
    }),
  };
}

/** An IAM user holding exactly `policy` (inline), with an access key. Call it while enforcement is off. */
export async function principalWith(iam: IAMClient, user: string, policy: PolicyDocument): Promise<Principal> {
  await iam.send(new CreateUserCommand({ UserName: user }));
  await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: `${user}-policy`, PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: user }));
  return { user, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

/** From now on, every call must be signed by an IAM user and allowed by its policies. */
export function enforceIam(moto: Pick<Moto, 'endpoint'>): Promise<void> {
  return resetAuth(moto, '0');
}

/** Back to answering every call, signed by anyone. */
export function stopEnforcingIam(moto: Pick<Moto, 'endpoint'>): Promise<void> {
  return resetAuth(moto, 'inf');
}

async function resetAuth(moto: Pick<Moto, 'endpoint'>, count: string): Promise<void> {
  const response = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: 'POST', body: count });
  if (!response.ok) throw new Error(`moto's reset-auth answered ${response.status}`);
}

/**
 * Makes a client's refused calls throw moto's own refusal: its error code (`AccessDenied`) as the
 * name and its message, with status 403. moto answers the JSON-protocol services (SQS, SES v2, SSM,
 * DynamoDB) with an XML error there, which their SDK clients cannot read and report only as a
 * parse error, the refusal's text lost.
 */
export function withRefusals<C extends { middlewareStack: { add(middleware: unknown, options: unknown): void } }>(client: C): C {
  const readRefusal = (next: (args: unknown) => Promise<{ response: { statusCode?: number; body?: AsyncIterable<Uint8Array> } }>) => async (args: unknown) => {
    const out = await next(args);
    const { statusCode, body } = out.response;
    if (statusCode !== 403 || !body || typeof body[Symbol.asyncIterator] !== 'function') return out;
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    const text = Buffer.concat(chunks).toString('utf8');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? /"__type"\s*:\s*"(?:[^"#]*#)?([^"]*)"/.exec(text)?.[1] ?? 'Forbidden';
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text;
    throw Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: 403 } });
  };
  client.middlewareStack.add(readRefusal, { step: 'deserialize', priority: 'low', name: 'readMotoRefusal' });
  return client;
}
