/**
 * Least privilege, proven by running under it. On moto with IAM enforced, each function of the
 * weather flow runs in a process of its own, under an IAM user that holds exactly the statements
 * its role gets in the stack (`describeFlow`, whose statements least-privilege.template.test.ts
 * finds in the synthesized template), as moto reads them (support/moto-iam.ts), with the secret
 * in Secrets Manager and its name given to the function that may read it only, as the stack does.
 * The whole flow runs, from a schedule tick to a mail with its GIF; then each principal is
 * refused what its worker must never do.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import weatherFlowModule from '../../examples/weather/index.js';
import { startAmpServer, type AmpServer } from '../../examples/weather/offline-maps/amp-server.js';
import { capturingMailer } from '../../src/adapters/memory/mailer.js';
import { memoryBlobStore } from '../../src/adapters/memory/blob-store.js';
import { describeFlow } from '../../src/deploy/aws/deployed-flow.js';
import { policyDocument, readsSecret, resourceArn, SCHEDULE_FUNCTION, type FunctionPermissions } from '../../src/deploy/aws/permissions.js';
import { readAwsSettings, type AwsRuntimeSettings } from '../../src/runtimes/aws/settings.js';
import { setUpAws } from '../../src/runtimes/aws/setup.js';
import type { Flow } from '../../src/index.js';
import { sentMails } from '../support/aws-weather.js';
import { serialDynamoProxy, type SerialDynamo } from '../support/moto-dynamodb.js';
import { asMotoReadsIt, enforceIam, principalWith, stopEnforcingIam, withRefusals, type Principal } from '../support/moto-iam.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';

const skip = await skipWithoutMoto();
const host = fileURLToPath(new URL('../support/function-process.ts', import.meta.url));
const REGION = 'us-east-1';
const OPERATOR = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const AERIS = { clientId: 'lp-client', clientSecret: 'lp-secret-8f2c1d' };
const SENDER = 'Weather GIFs <gifs@example.com>';

interface World {
  moto: Moto;
  proxy: SerialDynamo;
  amp: AmpServer;
  env: Record<string, string>;
  settings: AwsRuntimeSettings;
  flow: Flow;
  principals: Map<string, Principal>;
  permissions: FunctionPermissions[];
  running: ChildProcess[];
  stderr: Map<string, string>;
  /** Per function, the first line of its stderr that tells of a refusal, however much came after it. */
  refusals: Map<string, string>;
  cwd: string;
  account: string;
}

let world: World;

describe('each function runs under exactly its own policy, on moto with IAM enforced', { skip, timeout: 300_000 }, () => {
  before(async () => {
    const moto = await startMoto();
    const proxy = await serialDynamoProxy(moto);
    const amp = await startAmpServer(AERIS);
    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL: proxy.endpoint,
      DATAFLOW_AWS_PREFIX: `lp${process.pid}`,
      DATAFLOW_SES_FROM: SENDER,
      DATAFLOW_EMAIL_TO: 'forecast@example.com',
      DATAFLOW_THUMBNAIL_SIZE: '16x16',
      DATAFLOW_RETRY: 'baseDelayMs=500,maxDelayMs=1000',
      AERIS_MAPS_URL: amp.url,
      DATAFLOW_LOG_LEVEL: 'warn',
      NODE_NO_WARNINGS: '1',
    };
    const secret = `secretsmanager:${env.DATAFLOW_AWS_PREFIX}/secrets`;
    const settings = readAwsSettings({ ...env, DATAFLOW_SECRETS: secret });
    const provided = await weatherFlowModule({ mailer: capturingMailer(), blobs: memoryBlobStore(), settings: { config: {}, env } });
    await provided.close?.();
    world = { moto, proxy, amp, env, settings, flow: provided.flow, principals: new Map(), permissions: describeFlow(provided.flow, { sesFrom: SENDER }).permissions, running: [], stderr: new Map(), refusals: new Map(), cwd: await mkdtemp(join(tmpdir(), 'dataflow-iam-')), account: '' };

    // The operator makes the stack's resources and the principals while moto lets anyone in.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: OPERATOR.accessKeyId, AWS_SECRET_ACCESS_KEY: OPERATOR.secretAccessKey, AWS_REGION: REGION, AWS_ENDPOINT_URL: proxy.endpoint });
    await setUpAws({ settings, consumers: world.flow.consumers(), secrets: { AERIS_CLIENT_ID: AERIS.clientId, AERIS_CLIENT_SECRET: AERIS.clientSecret } });
    const account = (world.account = (await new STSClient({ region: REGION, endpoint: moto.endpoint, credentials: OPERATOR }).send(new GetCallerIdentityCommand({}))).Account!);
    const iam = new IAMClient({ region: REGION, endpoint: moto.endpoint, credentials: OPERATOR });
    for (const fn of world.permissions) {
      for (const statement of fn.statements) for (const action of statement.actions) assert.match(action, /^[a-z0-9]+:[A-Za-z]+$/, `${fn.function} is granted ${action}`);
      const policy = policyDocument(fn.statements, (ref) => resourceArn(ref, { names: settings.names, account, region: REGION, secret: settings.secretSource }));
      world.principals.set(fn.function, await principalWith(iam, `${settings.names.prefix}-${fn.function}`, asMotoReadsIt(policy)));
    }
    iam.destroy();
    await enforceIam(moto);
  });

  after(async () => {
    if (!world) return;
    await Promise.all(world.running.map(stopProcess));
    await world.amp.close();
    await world.proxy.close();
    await world.moto.stop();
  });

  it('runs the whole flow, a schedule tick to a mail with its GIF, each function under its own principal', async () => {
    const consumers = world.flow.consumers().map((c) => c.name);
    await Promise.all(consumers.map((consumer) => startFunction(consumer)));
    const tick = await runSchedule();
    assert.equal(tick.rejected.length, 0, JSON.stringify(tick.rejected));
    assert.equal(tick.accepted.length, 5, 'one round: five frames to fetch');

    const mails = await waitFor(() => sentMails(world.moto), (sent) => sent.length > 0, 180_000, 'a mail');
    const [mail] = mails;
    assert.equal(mail!.from?.value[0]?.address, 'gifs@example.com', 'sent as the configured identity');
    const gif = mail!.attachments.find((a) => a.contentType === 'image/gif');
    assert.ok(gif, 'the mail carries the GIF');
    assert.equal(gif.content.subarray(0, 6).toString('latin1'), 'GIF89a');
    assert.equal(mail!.attachments.filter((a) => a.contentType === 'image/png').length, 5, 'and the five thumbnails');
    assert.deepEqual(Object.fromEntries(world.refusals), {}, 'each function was refused nothing it needs');
  });

  it("refuses each principal what its function must never do", async (t) => {
    const { bucket } = world.settings.names;
    const keys = await objectKeys();
    const frame = keys.find((k) => k.startsWith('amp-image-fetcher/'));
    const gif = keys.find((k) => k.startsWith('gif-creator/'));
    assert.ok(frame && gif, `the run left a frame and a GIF: ${keys.join(', ')}`);
    const s3 = (who: string) => withRefusals(new S3Client({ ...clientOf(who), forcePathStyle: true }));
    const put = (Key: string) => new PutObjectCommand({ Bucket: bucket, Key, Body: 'forged' });
    const get = (Key: string) => new GetObjectCommand({ Bucket: bucket, Key });
    const readSecret = (who: string) => withRefusals(new SecretsManagerClient(clientOf(who))).send(new GetSecretValueCommand({ SecretId: world.settings.secretSource.name }));
    const queueUrl = (consumer: string) => `${world.proxy.endpoint}/${world.account}/${world.settings.names.queueOf(consumer)}`;
    const sendTo = (who: string, consumer: string) => withRefusals(new SQSClient(clientOf(who))).send(new SendMessageCommand({ QueueUrl: queueUrl(consumer), MessageBody: '{"type":"please-create-gif"}' }));
    const refusals: [who: string, what: string, call: () => Promise<unknown>][] = [
      ['amp-image-fetcher', 'write a GIF key', () => s3('amp-image-fetcher').send(put('gif-creator/forged.gif'))],
      ['amp-image-fetcher', 'send mail', () => withRefusals(new SESv2Client(clientOf('amp-image-fetcher'))).send(mailFrom('gifs@example.com'))],
      ['amp-image-fetcher', "send to the GIF maker's queue", () => sendTo('amp-image-fetcher', 'gif-creator')],
      ['thumbnail-creator', 'read the secret', () => readSecret('thumbnail-creator')],
      ['thumbnail-creator', 'read a GIF', () => s3('thumbnail-creator').send(get(gif!))],
      ['thumbnail-creator', 'write a frame', () => s3('thumbnail-creator').send(put('amp-image-fetcher/forged.png'))],
      ['thumbnail-creator', "send to the GIF maker's queue", () => sendTo('thumbnail-creator', 'gif-creator')],
      ['gif-creator', 'read the secret', () => readSecret('gif-creator')],
      ['gif-creator', "take the fetcher's messages", () => withRefusals(new SQSClient(clientOf('gif-creator'))).send(new ReceiveMessageCommand({ QueueUrl: queueUrl('amp-image-fetcher') }))],
      ['gif-creator', 'delete the state table', () => withRefusals(new DynamoDBClient(clientOf('gif-creator'))).send(new DeleteTableCommand({ TableName: world.settings.names.table }))],
      ['email-sender', 'write to the bucket under its own name', () => s3('email-sender').send(put('email-sender/forged.txt'))],
      ['email-sender', 'write a GIF key', () => s3('email-sender').send(put('gif-creator/forged.gif'))],
      ['email-sender', 'read the secret', () => readSecret('email-sender')],
      ['email-sender', 'read a frame', () => s3('email-sender').send(get(frame!))],
      ['mediator', 'read the secret', () => readSecret('mediator')],
      ['mediator', 'write a blob', () => s3('mediator').send(put('mediator/forged.txt'))],
      ['mediator', 'send mail', () => withRefusals(new SESv2Client(clientOf('mediator'))).send(mailFrom('gifs@example.com'))],
      [SCHEDULE_FUNCTION, "send to the thumbnailer's queue", () => sendTo(SCHEDULE_FUNCTION, 'thumbnail-creator')],
      [SCHEDULE_FUNCTION, 'read a frame', () => s3(SCHEDULE_FUNCTION).send(get(frame!))],
      [SCHEDULE_FUNCTION, 'read the secret', () => readSecret(SCHEDULE_FUNCTION)],
    ];
    for (const [who, what, call] of refusals) {
      await t.test(`${who} may not ${what}`, async () => {
        await assert.rejects(call, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
          assert.equal(error.$metadata?.httpStatusCode, 403, `${error.name}: ${error.message}`);
          assert.equal(error.name, 'AccessDenied', error.message);
          return true;
        });
      });
    }
    // The same principals are allowed the neighbouring call their function makes: the refusals
    // above are about what was asked, not a principal refused everything.
    await s3('thumbnail-creator').send(get(frame));
    await s3('email-sender').send(get(gif));
    await s3('amp-image-fetcher').send(put('amp-image-fetcher/allowed.png'));
    await readSecret('amp-image-fetcher');
    await sendTo('thumbnail-creator', 'mediator');
  });
});

function clientOf(who: string) {
  const principal = world.principals.get(who);
  if (!principal) throw new Error(`no principal for ${who}`);
  return { region: REGION, endpoint: world.proxy.endpoint, credentials: principal.credentials };
}

function mailFrom(address: string) {
  return new SendEmailCommand({ FromEmailAddress: address, Destination: { ToAddresses: ['someone@example.com'] }, Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } } });
}

/** The bucket's keys, listed as the operator once moto lets anyone in again; then enforcement is back on. */
async function objectKeys(): Promise<string[]> {
  await stopEnforcingIam(world.moto);
  try {
    const s3 = new S3Client({ region: REGION, endpoint: world.proxy.endpoint, forcePathStyle: true, credentials: OPERATOR });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: world.settings.names.bucket }));
    s3.destroy();
    return (listed.Contents ?? []).map((o) => o.Key!);
  } finally {
    await enforceIam(world.moto);
  }
}

/** The environment a function gets: the flow's settings, its principal's key and nothing else of AWS. */
function functionEnv(fn: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { credentials } = world.principals.get(fn)!;
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[name] !== undefined) env[name] = process.env[name];
  // As the stack does: only a function allowed to read the secret is told where it is.
  const secret = readsSecret(world.permissions.find((p) => p.function === fn)!.statements) ? { DATAFLOW_SECRETS: `${world.settings.secretSource.store}:${world.settings.secretSource.name}` } : {};
  return { ...env, ...world.env, ...secret, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, ...extra };
}

function spawnFunction(fn: string, extra: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', import.meta.resolve('tsx'), host], { cwd: world.cwd, env: functionEnv(fn, extra), stdio: ['ignore', 'pipe', 'pipe'] });
  world.stderr.set(fn, '');
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const text = world.stderr.get(fn)! + chunk;
    const refusal = /.*(?:AccessDenied|not authorized).*/.exec(text);
    if (refusal && !world.refusals.has(fn)) world.refusals.set(fn, refusal[0]);
    world.stderr.set(fn, text.slice(-4000));
  });
  return child;
}

async function startFunction(consumer: string): Promise<void> {
  const child = spawnFunction(consumer, { DATAFLOW_CONSUMER: consumer });
  world.running.push(child);
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${consumer} exited with ${code}: ${world.stderr.get(consumer)}`);
  });
  await Promise.race([once(lines, 'line'), exited]);
  exited.catch(() => {});
}

async function runSchedule(): Promise<{ accepted: string[]; rejected: unknown[] }> {
  const child = spawnFunction(SCHEDULE_FUNCTION, { DATAFLOW_TICK: String(Date.UTC(2017, 5, 1, 16)) });
  let stdout = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, world.stderr.get(SCHEDULE_FUNCTION));
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  if (!gone && child.pid) process.kill(child.pid, 'SIGKILL');
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const logs = [...world.stderr].map(([name, text]) => `--- ${name}\n${text}`).join('\n');
      throw new Error(`no ${what} within ${timeoutMs} ms; the functions said:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
