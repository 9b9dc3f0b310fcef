/**
 * Each function's statements, from the flow's declarations: what the weather flow's functions may
 * touch, that no statement grants a wildcard action, the default of a flow that declares nothing,
 * the ARNs of each kind of reference, and the errors a wrong declaration gets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import weatherFlowModule from '../../examples/weather/index.js';
import { capturingMailer } from '../../src/adapters/memory/mailer.js';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { functionPermissions, policyDocument, resourceArn, SCHEDULE_FUNCTION, type FunctionPermissions, type ResourceRef } from '../../src/deploy/aws/permissions.js';
import { awsResourceNames } from '../../src/runtimes/aws/resource-names.js';
import { consumerAccess, defineFlow, defineMediator, defineMessage, defineWorker, type ConsumerAccess, type Flow, type ProvidedFlow } from '../../src/index.js';
import { toyFlow } from '../support/toy-flow.js';

const names = awsResourceNames('dev');
const where = { names, account: '123456789012', region: 'eu-west-1', secret: { store: 'ssm' as const, name: '/dev/secrets' } };
const arn = (ref: ResourceRef) => resourceArn(ref, where);

/** Each function's grants as `action resource` lines, sorted. */
function grants(all: FunctionPermissions[], fn: string): string[] {
  const found = all.find((f) => f.function === fn);
  assert.ok(found, `no permissions for ${fn}`);
  return found.statements.flatMap((s) => s.actions.flatMap((action) => s.resources.map((ref) => `${action} ${arn(ref)}`))).sort();
}

const has = (lines: string[], pattern: RegExp) => lines.filter((line) => pattern.test(line));

describe("the weather flow's functions", () => {
  let provided: ProvidedFlow;
  let all: FunctionPermissions[];
  before(async () => {
    provided = await weatherFlowModule({ mailer: capturingMailer(), blobs: memoryBlobStore(), settings: { config: {}, env: {} } });
    all = functionPermissions(provided.flow, { mailIdentity: 'Weather GIFs <gifs@example.com>' });
  });
  after(async () => provided.close?.());

  it('are one per consumer and the schedule', () => {
    assert.deepEqual(all.map((f) => f.function), ['mediator', 'amp-image-fetcher', 'thumbnail-creator', 'gif-creator', 'email-sender', SCHEDULE_FUNCTION]);
  });

  it('grant no wildcard action, no service:*, and name every resource', () => {
    for (const fn of all) {
      for (const statement of fn.statements) {
        assert.ok(/^[A-Za-z0-9]+$/.test(statement.sid), statement.sid);
        for (const action of statement.actions) assert.match(action, /^[a-z0-9]+:[A-Za-z]+$/, `${fn.function}: ${action}`);
        for (const ref of statement.resources) assert.doesNotMatch(arn(ref), /^\*$|:\*$|::\*$/, `${fn.function}: ${arn(ref)}`);
      }
      const sids = fn.statements.map((s) => s.sid);
      assert.equal(new Set(sids).size, sids.length, `${fn.function}: statement ids are unique`);
    }
  });

  it('let only the fetcher read the secret', () => {
    for (const fn of all) {
      const secret = has(grants(all, fn.function), /ssm:|secretsmanager:/);
      assert.deepEqual(secret, fn.function === 'amp-image-fetcher' ? ['ssm:GetParameter arn:aws:ssm:eu-west-1:123456789012:parameter/dev/secrets'] : [], fn.function);
    }
  });

  it('let each worker write under its own prefix only, and read what it works on', () => {
    const s3 = (fn: string) => has(grants(all, fn), /^s3:/);
    const objects = (prefix: string) => `arn:aws:s3:::dev-blobs/${prefix}/*`;
    assert.deepEqual(s3('amp-image-fetcher'), [`s3:PutObject ${objects('amp-image-fetcher')}`]);
    assert.deepEqual(s3('thumbnail-creator'), [`s3:GetObject ${objects('amp-image-fetcher')}`, `s3:PutObject ${objects('thumbnail-creator')}`]);
    assert.deepEqual(s3('gif-creator'), [`s3:GetObject ${objects('amp-image-fetcher')}`, `s3:PutObject ${objects('gif-creator')}`]);
    assert.deepEqual(s3('email-sender'), [`s3:GetObject ${objects('gif-creator')}`, `s3:GetObject ${objects('thumbnail-creator')}`]);
    assert.deepEqual(s3('mediator'), [`s3:GetObject ${objects('gif-creator')}`], 'the mediator links the GIF');
    assert.deepEqual(s3(SCHEDULE_FUNCTION), []);
  });

  it('let only the mailer send mail, as the configured identity only', () => {
    for (const fn of all) {
      const ses = has(grants(all, fn.function), /^ses:/);
      assert.deepEqual(ses, fn.function === 'email-sender' ? ['ses:SendEmail arn:aws:ses:eu-west-1:123456789012:identity/gifs@example.com'] : [], fn.function);
    }
  });

  it('let each function take from its own queue and send only where its messages go', () => {
    const queue = (consumer: string) => `arn:aws:sqs:eu-west-1:123456789012:dev-${consumer}`;
    const sends = (fn: string) => has(grants(all, fn), /^sqs:SendMessage /).map((line) => line.split(' ')[1]);
    assert.deepEqual(sends('mediator'), ['amp-image-fetcher', 'email-sender', 'gif-creator', 'thumbnail-creator'].map(queue));
    for (const worker of ['amp-image-fetcher', 'thumbnail-creator', 'gif-creator', 'email-sender']) {
      assert.deepEqual(sends(worker), [queue('mediator')], worker);
      assert.deepEqual(has(grants(all, worker), /^sqs:ReceiveMessage /), [`sqs:ReceiveMessage ${queue(worker)}`], worker);
    }
    assert.deepEqual(sends(SCHEDULE_FUNCTION), [queue('amp-image-fetcher')], 'a tick asks the fetcher for frames');
    assert.deepEqual(has(grants(all, SCHEDULE_FUNCTION), /^sqs:ReceiveMessage /), []);
  });

  it('let the mediator alone query messages by type', () => {
    const queried = (fn: string) => has(grants(all, fn), /^dynamodb:Query /).map((line) => line.split('/index/')[1]);
    assert.deepEqual(queried('mediator'), ['by-cause', 'by-type', 'by-type-key']);
    assert.deepEqual(queried('gif-creator'), ['by-cause']);
    assert.deepEqual(queried(SCHEDULE_FUNCTION), []);
  });

  it('read the secret from Secrets Manager when the stack keeps it there, and leave SES out when mail goes over SMTP', () => {
    const other = functionPermissions(provided.flow, { secretStore: 'secretsmanager', smtp: true });
    const fetcher = other.find((f) => f.function === 'amp-image-fetcher')!;
    assert.deepEqual(fetcher.statements.find((s) => s.sid === 'ReadSecret')?.actions, ['secretsmanager:GetSecretValue']);
    assert.ok(other.every((f) => f.statements.every((s) => s.actions.every((a) => !a.startsWith('ses:')))));
    assert.throws(() => functionPermissions(provided.flow), /email-sender sends mail: the SES identity it sends as is needed \(DATAFLOW_SES_FROM\), or mail over SMTP/);
  });

  it('make an IAM policy document, each resource resolved as the caller says', () => {
    const fetcher = all.find((f) => f.function === 'amp-image-fetcher')!;
    const document = policyDocument(fetcher.statements, (ref) => ({ Ref: ref.kind }));
    assert.equal(document.Version, '2012-10-17');
    const secret = document.Statement.find((s) => s.Sid === 'ReadSecret')!;
    assert.deepEqual(secret, { Sid: 'ReadSecret', Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [{ Ref: 'secret' }] });
  });
});

describe('a flow that declares nothing', () => {
  it('gets the default: its workers read every blob, write their own prefix and may send mail; nobody reads the secret', () => {
    const { flow } = toyFlow();
    const all = functionPermissions(flow, { mailIdentity: 'toy@example.com' });
    assert.deepEqual(has(grants(all, 'doubler'), /^s3:/), ['s3:GetObject arn:aws:s3:::dev-blobs/*', 's3:PutObject arn:aws:s3:::dev-blobs/doubler/*']);
    assert.deepEqual(has(grants(all, 'mediator'), /^s3:/), ['s3:GetObject arn:aws:s3:::dev-blobs/*']);
    assert.equal(has(grants(all, 'reporter'), /^ses:SendEmail/).length, 1);
    assert.equal(has(grants(all, 'mediator'), /^ses:/).length, 0);
    assert.ok(all.every((f) => f.statements.every((s) => s.sid !== 'ReadSecret')));
    assert.deepEqual(consumerAccess(flow, 'doubler'), { consumer: 'doubler', declared: false, secrets: [], reads: [''], writes: ['doubler/'], sendsMail: true, sendsTo: ['mediator'] });
  });
});

describe('resource references', () => {
  it('resolve to the ARNs of the named resources', () => {
    assert.equal(arn({ kind: 'table' }), 'arn:aws:dynamodb:eu-west-1:123456789012:table/dev-state');
    assert.equal(arn({ kind: 'table-index', index: 'by-cause' }), 'arn:aws:dynamodb:eu-west-1:123456789012:table/dev-state/index/by-cause');
    assert.equal(arn({ kind: 'queue', consumer: 'gif-creator' }), 'arn:aws:sqs:eu-west-1:123456789012:dev-gif-creator');
    assert.equal(arn({ kind: 'dead-letter-queue', consumer: 'gif-creator' }), 'arn:aws:sqs:eu-west-1:123456789012:dev-gif-creator-dlq');
    assert.equal(arn({ kind: 'objects', prefix: 'gif-creator/' }), 'arn:aws:s3:::dev-blobs/gif-creator/*');
    assert.equal(arn({ kind: 'secret' }), 'arn:aws:ssm:eu-west-1:123456789012:parameter/dev/secrets');
    assert.equal(resourceArn({ kind: 'secret' }, { ...where, secret: { store: 'secretsmanager', name: 'dev/aeris' } }), 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/aeris-??????');
    assert.equal(resourceArn({ kind: 'table' }, { ...where, partition: 'aws-cn' }), 'arn:aws-cn:dynamodb:eu-west-1:123456789012:table/dev-state');
    assert.equal(arn({ kind: 'email-identity', identity: 'example.com' }), 'arn:aws:ses:eu-west-1:123456789012:identity/example.com');
  });
});

describe('a declaration that cannot be right', () => {
  const Ask = defineMessage('please-work', z.object({ n: z.number() }));
  const Done = defineMessage('did-work', z.object({ n: z.number() }));
  const flowWith = (access: Record<string, ConsumerAccess>): Flow =>
    defineFlow({
      name: 'checked',
      mediator: defineMediator({ name: 'mediator', rules: [] }),
      workers: [defineWorker({ name: 'worker', accepts: Ask, replies: Done, handle: async (m) => ({ n: m.n }) })],
      access,
    });

  it('is refused when the flow is defined, naming the consumer and the field', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ wroker: {} }, /flow checked: access names "wroker", which is no consumer; its consumers are mediator, worker/],
      [{ worker: { reads: ['../secrets/'] } }, /flow checked: access of worker: reads has "\.\.\/secrets\/": has a '\.\.' segment/],
      [{ worker: { reads: ['frames'] } }, /reads has "frames": must end with '\/'/],
      [{ worker: { reads: [''] } }, /reads has "": is empty/],
      [{ worker: { reads: ['a*/'] } }, /reads has "a\*\/": segment "a\*" may hold only/],
      [{ worker: { writes: ['other/'] } }, /writes has "other\/", but a worker writes only under its own prefix "worker\/"/],
      [{ mediator: { writes: ['mediator/'] } }, /writes has "mediator\/", but the mediator writes no blob/],
      [{ worker: { secrets: ['aeris-key'] } }, /secrets has "aeris-key", not a setting name/],
      [{ worker: { secrets: 'AERIS_CLIENT_ID' } }, /access of worker: secrets must be an array of strings/],
      [{ worker: { sendMail: true } }, /access of worker has unknown field sendMail; it takes secrets, reads, writes, sendsMail/],
      [{ worker: { sendsMail: 'yes' } }, /access of worker: sendsMail must be true or false/],
    ];
    for (const [access, error] of cases) assert.throws(() => flowWith(access as Record<string, ConsumerAccess>), error, JSON.stringify(access));
  });

  it('is kept as given when it is right, and a declared consumer gets only what it declares', () => {
    const flow = flowWith({ worker: { reads: ['worker/in/'], writes: ['worker/out/'] } });
    assert.deepEqual(consumerAccess(flow, 'worker'), { consumer: 'worker', declared: true, secrets: [], reads: ['worker/in/'], writes: ['worker/out/'], sendsMail: false, sendsTo: ['mediator'] });
    assert.throws(() => consumerAccess(flow, 'nobody'), /flow checked has no consumer "nobody"; its consumers are mediator, worker/);
  });
});
