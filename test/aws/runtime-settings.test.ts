/** The AWS runtime's settings and names, and how a command chooses its runtime: no emulator needed. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { awsResourceNames } from '../../src/runtimes/aws/resource-names.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';
import { declaredSecretsFromEnvironment } from '../../src/runtimes/aws/setup.js';
import { chooseRuntime, readSettings } from '../../src/cli/settings.js';
import { runDataflow } from '../support/cli.js';

it('names every resource from the prefix, the bucket in lower case, and refuses a name AWS would', () => {
  const names = awsResourceNames('Staging_1');
  assert.deepEqual([names.table, names.bucket, names.queueOf('gif-creator'), names.deadLetterQueueOf('gif-creator')], ['Staging_1-state', 'staging-1-blobs', 'Staging_1-gif-creator', 'Staging_1-gif-creator-dlq']);
  assert.equal(awsResourceNames(undefined, { environment: {} }).bucket, 'dataflow-blobs');
  assert.throws(() => awsResourceNames('dev', { bucket: 'Not_A_Bucket' }), /"Not_A_Bucket" is not a valid S3 bucket name/);
  assert.throws(() => awsResourceNames('no spaces'), /the AWS prefix must be 1 to 40 letters/);
});

it('reads where the secret is and whether it must exist, the endpoint and the mail from the environment', () => {
  const defaults = readAwsSettings({ DATAFLOW_AWS_PREFIX: 'dev' });
  assert.deepEqual(defaults.secretSource, { store: 'ssm', name: '/dev/secrets' });
  assert.equal(defaults.secretRequired, false, 'the default secret may be missing: no secret settings');
  assert.equal(defaults.endpoint, undefined);
  const given = readAwsSettings({ DATAFLOW_SECRETS: 'secretsmanager:prod/aeris', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', DATAFLOW_SES_FROM: 'gifs@example.com', SMTP_URL: 'smtp://127.0.0.1:2525' });
  assert.deepEqual(given.secretSource, { store: 'secretsmanager', name: 'prod/aeris' });
  assert.equal(given.secretRequired, true);
  assert.deepEqual([given.endpoint, given.sesFrom, given.smtpUrl], ['http://127.0.0.1:5000', 'gifs@example.com', 'smtp://127.0.0.1:2525']);
  assert.throws(() => readAwsSettings({ DATAFLOW_SECRETS: 'vault:x' }), /DATAFLOW_SECRETS must be ssm:<parameter name> or secretsmanager:<secret name>/);
  assert.throws(() => readAwsSettings({ DATAFLOW_AERIS_CREDENTIALS: 'ssm:/dev/aeris' }), /DATAFLOW_AERIS_CREDENTIALS is no longer read: use DATAFLOW_SECRETS/, 'an old setting is not ignored');
  assert.throws(() => readAwsSettings({ DATAFLOW_LINK_EXPIRES_SECONDS: '0' }), /DATAFLOW_LINK_EXPIRES_SECONDS must be a whole number of seconds from 1 to 604800/);
});

it('chooses the runtime: --runtime or DATAFLOW_RUNTIME, else the cluster with DATABASE_URL, else embedded', () => {
  assert.equal(readSettings({}).runtime, 'embedded');
  assert.equal(readSettings({ DATABASE_URL: 'postgres://h/db' }).runtime, 'cluster');
  assert.equal(readSettings({ DATABASE_URL: 'postgres://h/db', DATAFLOW_RUNTIME: 'aws' }).runtime, 'aws');
  assert.throws(() => readSettings({ DATAFLOW_RUNTIME: 'lambda' }), /DATAFLOW_RUNTIME must be embedded, cluster or aws, got "lambda"/);
  assert.throws(() => chooseRuntime('cluster', undefined), /--runtime cluster needs DATABASE_URL/);
});

it('aws setup --help lists what it reads, half the secret settings stop it before it makes anything; a wrong --runtime is a usage error', async () => {
  const help = await runDataflow(['aws', 'setup', '--help'], { cwd: process.cwd() });
  assert.equal(help.code, 0, help.stderr);
  for (const name of ['DATAFLOW_AWS_PREFIX', 'AWS_ENDPOINT_URL', 'DATAFLOW_SES_FROM', 'AERIS_CLIENT_ID', 'DATAFLOW_SECRETS']) assert.match(help.stdout, new RegExp(name));
  const half = await runDataflow(['aws', 'setup'], { cwd: process.cwd(), env: { AERIS_CLIENT_ID: 'half-of-it', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' } });
  assert.equal(half.code, 1);
  assert.match(half.stderr, /set both AERIS_CLIENT_ID and AERIS_CLIENT_SECRET/, 'the weather flow refuses half its credentials itself');
  assert.ok(!half.stderr.includes('half-of-it'), 'the value set is not repeated');
  // And for any flow, before anything is made:
  const declared = ['MAPS_ID', 'MAPS_KEY', 'MAPS_TOKEN'];
  assert.equal(declaredSecretsFromEnvironment(declared, {}), undefined, 'none set: none stored');
  assert.deepEqual(declaredSecretsFromEnvironment(declared, { MAPS_ID: 'a', MAPS_KEY: 'b', MAPS_TOKEN: 'c', OTHER: 'd' }), { MAPS_ID: 'a', MAPS_KEY: 'b', MAPS_TOKEN: 'c' }, 'only those declared');
  assert.throws(
    () => declaredSecretsFromEnvironment(declared, { MAPS_ID: 'value-4711' }),
    (error: Error) => /the flow declares the secret settings MAPS_ID, MAPS_KEY, MAPS_TOKEN: set all of them to store them, or none \(MAPS_KEY, MAPS_TOKEN are not set\)/.test(error.message) && !error.message.includes('value-4711'),
  );
  const wrong = await runDataflow(['failed', '--runtime', 'lambda'], { cwd: process.cwd() });
  assert.equal(wrong.code, 64);
  assert.match(wrong.stderr, /option "--runtime <runtime>" argument "lambda" is invalid. Allowed choices are embedded, cluster, aws/);
});
