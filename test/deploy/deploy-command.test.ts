/**
 * `dataflow deploy aws` and `dataflow destroy aws` as a user runs them: their help, their usage
 * errors (exit 64), `--synth --out` writing the template with no account and no network (the AWS
 * settings point nowhere and there are no credentials), the credentials in the environment never
 * reaching what it writes, and a clear error naming the install command when the CDK is missing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dataflowArgs, runDataflow } from '../support/cli.js';

const cwd = mkdtempSync(join(tmpdir(), 'dataflow-deploy-'));
after(() => rmSync(cwd, { recursive: true, force: true }));

/** Nothing to reach: no credentials, no instance metadata, an endpoint nobody answers. */
const offline = {
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_REGION: '',
  DATAFLOW_SES_FROM: 'gifs@example.com',
};

describe('dataflow deploy aws', () => {
  it('--help says what it makes, its stages and what it reads', async () => {
    const ran = await runDataflow(['deploy', 'aws', '--help'], { cwd });
    assert.equal(ran.code, 0, ran.stderr);
    for (const text of ['--stage <stage>', '"dev", "staging", "prod"', '--synth', '--out <dir>', 'AERIS_CLIENT_ID', 'DATAFLOW_SES_FROM', 'npm install --save-dev aws-cdk-lib']) {
      assert.ok(ran.stdout.includes(text), `the help lacks ${text}:\n${ran.stdout}`);
    }
    const destroy = await runDataflow(['destroy', 'aws', '--help'], { cwd });
    assert.equal(destroy.code, 0, destroy.stderr);
    assert.match(destroy.stdout, /prod keeps its table and bucket/);
  });

  it('answers a wrong use with exit 64 and the help to read', async () => {
    for (const args of [['deploy', 'aws', '--stage', 'qa'], ['deploy', 'aws', '--synth'], ['deploy', 'aws', '--out', 'x'], ['destroy', 'aws', '--name', 'no spaces'], ['deploy', 'aws', '--bogus'], ['deploy', 'aws', '--synth', '--out', 'x', '--bootstrap']]) {
      const ran = await runDataflow(args, { cwd, env: offline });
      assert.equal(ran.code, 64, `${args.join(' ')}: ${ran.stderr}`);
      assert.match(ran.stderr, new RegExp(`see dataflow ${args[0]} aws --help`));
    }
  });

  it('--synth --out writes the template with no account and no network, and no secret of the environment in it', async () => {
    const out = join(cwd, 'cdk.out');
    const clientSecret = 'very-secret-aeris-value-4711';
    const ran = await runDataflow(['deploy', 'aws', '--stage', 'prod', '--synth', '--out', out], { cwd, env: { ...offline, AERIS_CLIENT_ID: 'aeris-id-0815', AERIS_CLIENT_SECRET: clientSecret }, timeoutMs: 600_000 });
    assert.equal(ran.code, 0, ran.stderr);
    const templateFile = join(out, 'dataflow-prod.template.json');
    assert.match(ran.stdout, new RegExp(`stack dataflow-prod \\(stage prod\\): template ${templateFile.replace(/[.]/g, '\\.')}`));
    const text = readFileSync(templateFile, 'utf8');
    const template = JSON.parse(text) as { Resources: Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string }> };
    const types = Object.values(template.Resources).map((r) => r.Type);
    for (const type of ['AWS::Lambda::Function', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::Events::Rule', 'AWS::SecretsManager::Secret', 'AWS::CloudWatch::Dashboard']) {
      assert.ok(types.includes(type), `no ${type}`);
    }
    // prod keeps its data when the stack goes, and its logs longer
    const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!;
    assert.equal(table.DeletionPolicy, 'Retain');
    assert.ok(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Logs::LogGroup').every((r) => r.Properties.RetentionInDays === 90));
    for (const file of readdirSync(out).filter((name) => name.endsWith('.json'))) {
      const written = readFileSync(join(out, file), 'utf8');
      assert.ok(!written.includes(clientSecret) && !written.includes('aeris-id-0815'), `${file} holds an Aeris credential`);
    }
    assert.ok(!text.includes('127.0.0.1'), 'the endpoint of this shell is in the template');
  });

  it('without DATAFLOW_SES_FROM, a flow that sends mail is refused before anything is written', async () => {
    const out = join(cwd, 'no-sender');
    const ran = await runDataflow(['deploy', 'aws', '--synth', '--out', out], { cwd, env: { ...offline, DATAFLOW_SES_FROM: '' }, timeoutMs: 300_000 });
    assert.equal(ran.code, 1);
    assert.match(ran.stderr, /email-sender sends mail: the SES identity it sends as is needed \(DATAFLOW_SES_FROM\)/);
    assert.equal(existsSync(out), false);
  });

  it('destroy aws with no account to reach fails with exit 1, saying what it could not do', async () => {
    const ran = await runDataflow(['destroy', 'aws', '--stage', 'staging'], { cwd, env: { ...offline, DATAFLOW_SES_FROM: '', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: '1' }, timeoutMs: 300_000 });
    assert.equal(ran.code, 1, ran.stderr);
    assert.match(ran.stderr, /^dataflow: could not empty the bucket dataflow-staging-blobs before destroying the stack dataflow-staging: /m);
  });

  it('names the command that installs the CDK when it is missing', async () => {
    const blocker = fileURLToPath(new URL('../support/block-packages.mjs', import.meta.url));
    const { execFile } = await import('node:child_process');
    const [, ...rest] = dataflowArgs('deploy', 'aws', '--synth', '--out', join(cwd, 'blocked'));
    const ran = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, ['--import', blocker, dataflowArgs()[0]!, ...rest], { cwd, env: { ...process.env, ...offline, DATAFLOW_BLOCKED: 'aws-cdk-lib,constructs' } }, (error, _stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stderr }),
      ),
    );
    assert.equal(ran.code, 1, ran.stderr);
    assert.match(ran.stderr, /dataflow deploy aws --synth needs aws-cdk-lib, constructs, not installed: npm install --save-dev aws-cdk-lib constructs/);
  });
});
