/**
 * The weather flow's stack as CloudFormation would receive it: every resource the AWS runtime
 * expects (named as it derives them), and what must never be in it: a public bucket, a wildcard
 * action, a managed FullAccess policy, a deprecated Node.js runtime, a secret in plain sight.
 * Then cfn-lint, which must be installed (a missing linter fails the test, it never skips it).
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { stateTableDefinition, TTL_ATTRIBUTE } from '../../src/adapters/dynamodb/table.js';
import { maxReceiveCountOf, visibilityTimeoutOf } from '../../src/adapters/sqs/queues.js';
import { describeFlow, type DeployedFlow } from '../../src/deploy/aws/deployed-flow.js';
import { STACK_OUTPUTS } from '../../src/deploy/aws/flow-stack.js';
import { emptyBundle } from '../../src/deploy/aws/lambda-bundle.js';
import { addDeployment } from '../../src/deploy/aws/synthesize.js';
import { METRIC_NAMESPACE, METRICS } from '../../src/observability/cloudwatch-names.js';
import { awsResourceNames } from '../../src/runtimes/aws/resource-names.js';
import { toyFlow } from '../support/toy-flow.js';
import { SES_FROM, weatherStack } from './weather-stack.js';

type Resource = { Type: string; Properties?: Record<string, any> };

let template: Template;
let resources: Record<string, Resource>;
let deployed: DeployedFlow;
let outdir: string;
let templateFile: string;
const names = awsResourceNames('dataflow-dev', { environment: {} });

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const functionOf = (consumer: string) => ofType('AWS::Lambda::Function').find(([, r]) => r.Properties!.Environment?.Variables?.DATAFLOW_CONSUMER === consumer);
const logicalIdOf = (type: string, test: (properties: Record<string, any>) => boolean) => {
  const found = ofType(type).find(([, r]) => test(r.Properties ?? {}));
  assert.ok(found, `no ${type} that matches`);
  return found[0];
};

before(async () => {
  const made = await weatherStack('dev');
  deployed = made.deployed;
  outdir = made.outdir;
  template = Template.fromStack(made.stack);
  resources = template.toJSON().Resources;
  templateFile = join(outdir, made.stack.templateFile);
});
after(() => rmSync(outdir, { recursive: true, force: true }));

describe('the weather stack', () => {
  it('has a function per consumer on nodejs22.x or later, each told which consumer it is, and one for the schedule', () => {
    const consumers = deployed.consumers.map((c) => c.name);
    assert.deepEqual(consumers.sort(), ['amp-image-fetcher', 'email-sender', 'gif-creator', 'mediator', 'thumbnail-creator']);
    for (const consumer of consumers) {
      const fn = functionOf(consumer);
      assert.ok(fn, `no function for ${consumer}`);
      assert.equal(fn[1].Properties!.Handler, 'consumer.handler');
      assert.equal(fn[1].Properties!.FunctionName, `dataflow-dev-${consumer}`);
    }
    const functions = ofType('AWS::Lambda::Function');
    assert.equal(functions.length, consumers.length + 1);
    assert.ok(functions.some(([, r]) => r.Properties!.Handler === 'schedule.handler'));
    for (const [id, r] of functions) {
      const match = /^nodejs(\d+)\.x$/.exec(r.Properties!.Runtime);
      assert.ok(match && Number(match[1]) >= 22, `${id} runs ${r.Properties!.Runtime}`);
    }
  });

  it('gives each consumer a queue and a dead-letter queue named from the prefix, with the runtime’s maxReceiveCount and visibility', () => {
    for (const consumer of deployed.consumers) {
      const dlq = logicalIdOf('AWS::SQS::Queue', (p) => p.QueueName === names.deadLetterQueueOf(consumer.name));
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: names.queueOf(consumer.name),
        VisibilityTimeout: visibilityTimeoutOf(consumer),
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: maxReceiveCountOf(consumer) },
        SqsManagedSseEnabled: true,
      });
    }
    assert.equal(maxReceiveCountOf({ name: 'x', retry: { maxAttempts: 12 } }), 17);
  });

  it('feeds each function from its queue, reporting batch item failures, with a batch size and a maximum concurrency', () => {
    for (const consumer of deployed.consumers) {
      const queue = logicalIdOf('AWS::SQS::Queue', (p) => p.QueueName === names.queueOf(consumer.name));
      const fn = functionOf(consumer.name)![0];
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
        FunctionName: { Ref: fn },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: Math.min(10, consumer.concurrency),
        ScalingConfig: { MaximumConcurrency: Match.anyValue() },
      });
    }
    assert.equal(ofType('AWS::Lambda::EventSourceMapping').length, deployed.consumers.length);
  });

  it('has the state table with the runtime’s key schema and indexes, and TTL on', () => {
    const definition = stateTableDefinition(names.table);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'dataflow-dev-state',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: definition.KeySchema,
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes.map((index) => Match.objectLike({ IndexName: index.IndexName, KeySchema: index.KeySchema })),
    });
  });

  it('has a private, encrypted bucket that refuses plain HTTP and expires old frames', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'dataflow-dev-blobs',
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'amp-image-fetcher/', ExpirationInDays: 30, Status: 'Enabled' })]) },
    });
    const [, bucket] = ofType('AWS::S3::Bucket')[0]!;
    assert.equal(bucket.Properties!.AccessControl, undefined);
    const [[, policy]] = ofType('AWS::S3::BucketPolicy') as [[string, Resource]];
    const statements = policy.Properties!.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[];
    assert.ok(statements.every((s) => s.Effect === 'Deny'), 'the bucket policy only refuses');
    assert.ok(statements.some((s) => JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } })));
  });

  it("fires the schedule function on the flow's cron (every 7 minutes) through an EventBridge rule", () => {
    assert.equal(deployed.schedule?.cron, '*/7 * * * *');
    const fn = logicalIdOf('AWS::Lambda::Function', (p) => p.Handler === 'schedule.handler');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0/7 * * * ? *)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fn, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', FunctionName: { 'Fn::GetAtt': [fn, 'Arn'] } });
  });

  it('keeps the secret settings the flow declares in a secret that is empty in the template, known only to the fetcher', () => {
    const [[, secret]] = ofType('AWS::SecretsManager::Secret') as [[string, Resource]];
    assert.equal(secret.Properties!.Name, 'dataflow-dev/secrets');
    assert.equal(secret.Properties!.SecretString, '{}', 'no value until the deploy command stores them');
    const told = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties!.Environment.Variables.DATAFLOW_SECRETS !== undefined);
    assert.deepEqual(told.map(([, r]) => r.Properties!.Environment.Variables.DATAFLOW_CONSUMER), ['amp-image-fetcher']);
    assert.equal(told[0]![1].Properties!.Environment.Variables.DATAFLOW_SECRETS, 'secretsmanager:dataflow-dev/secrets');
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      assert.ok(!Object.keys(fn.Properties!.Environment.Variables).some((name) => name.startsWith('AERIS_')), 'no secret setting in a function\'s environment');
    }
  });

  it('makes no secret for a flow that declares no secret setting', () => {
    const { flow } = toyFlow();
    const bundle = emptyBundle(mkdtempSync(join(tmpdir(), 'dataflow-empty-bundle-')));
    try {
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'dataflow-stack-')), analyticsReporting: false });
      const { stack } = addDeployment(app, { stage: 'dev', base: 'toy', flow: describeFlow(flow, { sesFrom: SES_FROM }), flowModule: 'unused.ts', bundle });
      const toy = Template.fromStack(stack).toJSON() as { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
      assert.deepEqual(Object.values(toy.Resources).filter((r) => r.Type === 'AWS::SecretsManager::Secret'), []);
      assert.equal(toy.Outputs[STACK_OUTPUTS.secret], undefined);
      assert.ok(Object.values(toy.Resources).some((r) => r.Type === 'AWS::Lambda::Function'), 'the rest is there');
    } finally {
      rmSync(bundle.dir, { recursive: true, force: true });
    }
  });

  it('gives every function a log group of its own with a retention', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const group = fn.Properties!.LoggingConfig?.LogGroup?.Ref;
      assert.ok(group, `${id} has no log group of its own`);
      assert.equal(resources[group]!.Type, 'AWS::Logs::LogGroup');
      assert.equal(resources[group]!.Properties!.RetentionInDays, 14);
      assert.equal(resources[group]!.Properties!.LogGroupName, `/aws/lambda/${fn.Properties!.FunctionName}`);
    }
  });

  it('has a dashboard of the flow’s metrics, and alarms on each dead-letter queue’s depth and each function’s errors', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    // The body is JSON joined around CloudFormation references: read it with each reference as REF.
    const joined = (dashboard.Properties!.DashboardBody['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'REF')).join('');
    const widgets = (JSON.parse(joined) as { widgets: { properties: { metrics?: unknown[][] } }[] }).widgets;
    const lines = widgets.flatMap((w) => w.properties.metrics ?? []);
    const shown = new Set<string>();
    for (const line of lines) {
      const expression = (line.find((part) => typeof part === 'object') as { expression?: string } | undefined)?.expression;
      if (expression) for (const [, name] of expression.matchAll(/MetricName="(\w+)"/g)) shown.add(name!);
      if (line[0] === METRIC_NAMESPACE) {
        shown.add(line[1] as string);
        assert.equal(line[line.indexOf('service') + 1], 'dataflow-dev', 'the metrics are those of this stage');
      }
    }
    for (const metric of Object.values(METRICS)) assert.ok(shown.has(metric.name), `the dashboard shows no ${metric.name} (it shows ${[...shown].join(', ')})`);
    for (const consumer of deployed.consumers) {
      const dlq = logicalIdOf('AWS::SQS::Queue', (p) => p.QueueName === names.deadLetterQueueOf(consumer.name));
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
        Threshold: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionOf(consumer.name)![0] } }],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: METRICS.deadLetters.name, Namespace: METRIC_NAMESPACE, Dimensions: Match.arrayWith([{ Name: 'consumer', Value: consumer.name }]) });
    }
  });

  it('outputs what the command line reads, and no secret', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const key of Object.values(STACK_OUTPUTS)) assert.ok(outputs[key], `no output ${key}`);
    assert.equal(outputs[STACK_OUTPUTS.prefix]!.Value, 'dataflow-dev');
    assert.equal(outputs[STACK_OUTPUTS.secret]!.Value, 'dataflow-dev/secrets');
    assert.ok(!JSON.stringify(outputs).includes('SecretString'));
  });

  it('grants no wildcard action, no bare * resource and no managed policy; mail only as the configured identity', () => {
    const statements = ofType('AWS::IAM::Policy').flatMap(([, r]) => r.Properties!.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    assert.ok(statements.length > 0);
    for (const statement of statements) {
      for (const action of [statement.Action].flat()) assert.ok(action !== '*' && !action.endsWith(':*'), `wildcard action ${action}`);
      for (const resource of [statement.Resource].flat()) assert.notEqual(resource, '*');
    }
    for (const [id, role] of ofType('AWS::IAM::Role')) assert.equal(role.Properties!.ManagedPolicyArns, undefined, `${id} has managed policies`);
    assert.equal(ofType('AWS::IAM::ManagedPolicy').length, 0);
    const mail = statements.filter((s) => [s.Action].flat().includes('ses:SendEmail'));
    assert.equal(mail.length, 1);
    assert.ok(JSON.stringify(mail[0]!.Resource).includes(`:identity/${SES_FROM}`));
  });

  it('ships one code asset with the flow bundled in and sharp’s linux-x64 binary beside it', () => {
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    assert.equal(assets.length, 1, `assets: ${assets.join(', ')}`);
    const asset = join(outdir, assets[0]!);
    for (const file of ['consumer.mjs', 'schedule.mjs', 'package.json', 'gif-encode-worker.js']) assert.ok(existsSync(join(asset, file)), `no ${file} in the asset`);
    const binaries = readdirSync(join(asset, 'node_modules/@img/sharp-linux-x64/lib'));
    assert.ok(binaries.some((name) => name.endsWith('.node')), 'no sharp binary');
    assert.ok(existsSync(join(asset, 'node_modules/@img/sharp-libvips-linux-x64')));
  });

  it('passes cfn-lint with no error', async () => {
    const lint = await promisify(execFile)('cfn-lint', ['--format', 'json', templateFile]).then(
      ({ stdout }) => stdout,
      (error: NodeJS.ErrnoException & { stdout?: string; code?: number | string }) => {
        if (error.code === 'ENOENT') throw new Error('cfn-lint is not installed (pip install cfn-lint): the template cannot be checked');
        // It exits non-zero when it finds something, and says what on stdout; with nothing there it failed to run.
        if (!error.stdout?.trim()) throw new Error(`cfn-lint failed to run: ${(error as Error & { stderr?: string }).stderr ?? error.message}`, { cause: error });
        return error.stdout;
      },
    );
    const findings = (lint.trim() ? JSON.parse(lint) : []) as { Level: string; Rule: { Id: string }; Message: string }[];
    const errors = findings.filter((f) => f.Level === 'Error');
    assert.deepEqual(errors.map((f) => `${f.Rule.Id}: ${f.Message}`), []);
  });
});
