/**
 * `DataflowFlow`: every AWS resource of one flow, in one construct, as the AWS runtime expects to
 * find them (named from the prefix, as runtimes/aws/resource-names.ts derives them):
 *
 * - per consumer: a queue and its dead-letter queue (maxReceiveCount and visibility as
 *   `setUpQueues` sets them), a function running the consumer handler, its log group, and an
 *   event source mapping that reports batch item failures, with a batch size and a maximum
 *   concurrency;
 * - the state table (the key schema and indexes of adapters/dynamodb/table.ts, TTL on);
 * - the private bucket (all public access blocked, TLS only, encrypted, old blobs expired per
 *   worker prefix);
 * - the secret that holds the flow's secret settings, when a consumer declares one (its value is
 *   set after deploying, never in the template);
 * - the schedule, an EventBridge rule on the flow's cron, and its function;
 * - the dashboard and alarms (flow-dashboard.ts).
 *
 * Every function runs one code asset (lambda-bundle.ts) with its flow bundled in. Its role allows
 * writing its own log group, and the statements permissions.ts derives from the flow for it:
 * what its handler calls, and nothing else.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { rmSync } from 'node:fs';
import { AWS_ENV } from '../../adapters/aws/prefix.js';
import { stateTableDefinition, TTL_ATTRIBUTE } from '../../adapters/dynamodb/table.js';
import { MAX_MESSAGE_BYTES } from '../../adapters/sqs/message-body.js';
import { maxReceiveCountOf, visibilityTimeoutOf } from '../../adapters/sqs/queues.js';
import { awsResourceNames, type AwsResourceNames } from '../../runtimes/aws/resource-names.js';
import { AWS_RUNTIME_ENV } from '../../runtimes/aws/settings.js';
import type { DeployedConsumer, DeployedFlow } from './deployed-flow.js';
import { eventBridgeCron } from './eventbridge-cron.js';
import { FlowDashboard } from './flow-dashboard.js';
import { bundleForLambda, type LambdaBundle } from './lambda-bundle.js';
import { policyDocument, readsSecret, SCHEDULE_FUNCTION, type PermissionStatement, type ResourceRef } from './permissions.js';

export interface DataflowFlowProps {
  /** The flow's consumers and schedule (`describeFlow(flow)`). */
  flow: DeployedFlow;
  /** The flow module's file, bundled into every function. */
  flowModule: string;
  /** The flow's config file, bundled beside it. */
  configFile?: string;
  /** Names every resource. @defaultValue `dataflow` */
  prefix?: string;
  /** The bucket, when `<prefix>-blobs` is taken (bucket names are global). */
  bucketName?: string;
  /** The SES identity mail goes from (verified in SES beforehand, e.g. by `dataflow aws setup`). */
  sesFrom?: string;
  /** Keep the table and the bucket when the stack is deleted. @defaultValue true */
  retainData?: boolean;
  /** @defaultValue one month */
  logRetention?: logs.RetentionDays;
  /** Days after which blobs expire, under every worker's prefix (frames, thumbnails, GIFs). @defaultValue 30 */
  blobExpiryDays?: number;
  /** Memory of the consumers' functions, for all or by consumer. @defaultValue 1024 */
  memorySizeMb?: number | Record<string, number>;
  /** Most invocations at once per consumer (2 to 1000), for all or by consumer. @defaultValue 5 */
  maxConcurrency?: number | Record<string, number>;
  /** A bundle made beforehand (`bundleForLambda`); by default one is made here. */
  bundle?: LambdaBundle;
}

export interface DeployedConsumerResources {
  consumer: DeployedConsumer;
  function: lambda.Function;
  queue: sqs.Queue;
  deadLetterQueue: sqs.Queue;
  logGroup: logs.LogGroup;
}

/** Lambda's limits an event source mapping takes. */
const MAX_BATCH = 10;
const MAX_FUNCTION_SECONDS = 900;
/** Beyond the consumer's own timeout: the cold start and the batch's bookkeeping. */
const FUNCTION_MARGIN_SECONDS = 10;
const DEAD_LETTER_RETENTION = Duration.days(14);

export class DataflowFlow extends Construct {
  readonly names: AwsResourceNames;
  readonly table: dynamodb.CfnTable;
  readonly bucket: s3.Bucket;
  /** Where the flow's secret settings are kept; none when no consumer declares one. */
  readonly secret?: secretsmanager.Secret;
  /** The secret's name (`<prefix>/secrets`): its ARN ends in a suffix only AWS knows. */
  readonly secretName?: string;
  readonly consumers: DeployedConsumerResources[];
  readonly scheduleFunction?: lambda.Function;
  readonly scheduleRule?: events.Rule;
  readonly watch: FlowDashboard;
  readonly bundle: LambdaBundle;

  constructor(scope: Construct, id: string, props: DataflowFlowProps) {
    super(scope, id);
    const names = awsResourceNames(props.prefix ?? 'dataflow', { bucket: props.bucketName, environment: {} });
    this.names = names;
    const retain = props.retainData ?? true;
    const removal = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const definition = stateTableDefinition(names.table);
    this.table = new dynamodb.CfnTable(this, 'StateTable', {
      tableName: definition.TableName,
      billingMode: definition.BillingMode,
      keySchema: definition.KeySchema.map((k) => ({ attributeName: k.AttributeName, keyType: k.KeyType })),
      attributeDefinitions: definition.AttributeDefinitions.map((a) => ({ attributeName: a.AttributeName, attributeType: a.AttributeType })),
      globalSecondaryIndexes: definition.GlobalSecondaryIndexes.map((index) => ({
        indexName: index.IndexName!,
        keySchema: index.KeySchema!.map((k) => ({ attributeName: k.AttributeName!, keyType: k.KeyType! })),
        projection: { projectionType: index.Projection!.ProjectionType, nonKeyAttributes: index.Projection!.NonKeyAttributes },
      })),
      timeToLiveSpecification: { attributeName: TTL_ATTRIBUTE, enabled: true },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: retain },
      sseSpecification: { sseEnabled: true },
    });
    this.table.applyRemovalPolicy(removal);

    this.bucket = new s3.Bucket(this, 'Blobs', {
      bucketName: names.bucket,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: removal,
      lifecycleRules: [
        ...props.flow.consumers.map((c) => ({ id: `expire-${c.name}`, prefix: `${c.name}/`, expiration: Duration.days(props.blobExpiryDays ?? 30) })),
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    const secretName = props.flow.permissions.some((p) => readsSecret(p.statements)) ? `${names.prefix}/secrets` : undefined;
    if (secretName) {
      this.secret = new secretsmanager.Secret(this, 'SecretSettings', {
        secretName,
        description: `The secret settings of ${names.prefix}'s flow, as {"NAME": "value"}: stored by dataflow deploy aws from the environment`,
        // Empty until the deploy command stores the values: a declared setting it lacks stays unset.
        secretObjectValue: {},
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.secretName = secretName;
    }

    this.bundle = props.bundle ?? bundleForLambda({ flowModule: props.flowModule, configFile: props.configFile });
    const code = lambda.Code.fromAsset(this.bundle.dir);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const environment: Record<string, string> = {
      [AWS_ENV.prefix]: names.prefix,
      [AWS_RUNTIME_ENV.bucket]: names.bucket,
      ...(props.sesFrom ? { [AWS_RUNTIME_ENV.sesFrom]: props.sesFrom } : {}),
      DATAFLOW_LOG_LEVEL: 'info',
    };
    const makeFunction = (name: string, handler: string, options: { timeoutSeconds: number; memorySize: number; environment: Record<string, string>; statements: readonly PermissionStatement[] }) => {
      const functionName = `${names.prefix}-${name}`;
      if (functionName.length > 64) throw new Error(`the function ${functionName} is longer than Lambda's 64 characters: shorten the prefix or the consumer's name`);
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { logGroupName: `/aws/lambda/${functionName}`, retention: logRetention, removalPolicy: removal });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${functionName}: its own log group, and what its handler calls`,
      });
      role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'OwnLogGroup', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
      const document = policyDocument(options.statements, resolve);
      new iam.Policy(this, `${name}Permissions`, { policyName: `${functionName}-handler`, roles: [role], document: iam.PolicyDocument.fromJson(document) });
      const fn = new lambda.Function(this, `${name}Function`, {
        functionName,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.X86_64,
        handler,
        code,
        role,
        logGroup,
        memorySize: options.memorySize,
        timeout: Duration.seconds(options.timeoutSeconds),
        environment: { ...environment, ...(secretName && readsSecret(options.statements) ? { [AWS_ENV.secrets]: `secretsmanager:${secretName}` } : {}), ...options.environment },
      });
      return { fn, logGroup };
    };

    const queues = new Map(
      props.flow.consumers.map((consumer) => {
        const deadLetterQueue = new sqs.Queue(this, `${consumer.name}DeadLetters`, {
          queueName: names.deadLetterQueueOf(consumer.name),
          retentionPeriod: DEAD_LETTER_RETENTION,
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
        });
        const queue = new sqs.Queue(this, `${consumer.name}Queue`, {
          queueName: names.queueOf(consumer.name),
          visibilityTimeout: Duration.seconds(visibilityTimeoutOf(consumer)),
          maxMessageSizeBytes: MAX_MESSAGE_BYTES,
          receiveMessageWaitTime: Duration.seconds(20),
          deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: maxReceiveCountOf(consumer) },
          encryption: sqs.QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
        });
        return [consumer.name, { queue, deadLetterQueue }];
      }),
    );
    const queuesOf = (consumer: string) => {
      const found = queues.get(consumer);
      if (!found) throw new Error(`the permissions name the queue of ${JSON.stringify(consumer)}, which is no consumer of the flow ${props.flow.name}`);
      return found;
    };
    const resolve = (ref: ResourceRef): string => {
      switch (ref.kind) {
        case 'table':
          return this.table.attrArn;
        case 'table-index':
          return `${this.table.attrArn}/index/${ref.index}`;
        case 'queue':
          return queuesOf(ref.consumer).queue.queueArn;
        case 'dead-letter-queue':
          return queuesOf(ref.consumer).deadLetterQueue.queueArn;
        case 'objects':
          return this.bucket.arnForObjects(`${ref.prefix}*`);
        case 'secret':
          return this.secret!.secretArn; // made whenever a statement names it
        case 'email-identity':
          return Stack.of(this).formatArn({ service: 'ses', resource: 'identity', resourceName: ref.identity });
      }
    };
    const permissionsOf = (name: string) => {
      const found = props.flow.permissions.find((p) => p.function === name);
      if (!found) throw new Error(`the flow ${props.flow.name} has no permissions for the function ${name}`);
      return found.statements;
    };

    this.consumers = props.flow.consumers.map((consumer) => {
      const { queue, deadLetterQueue } = queuesOf(consumer.name);
      const visibility = visibilityTimeoutOf(consumer);
      const timeoutSeconds = Math.min(MAX_FUNCTION_SECONDS, Math.ceil(consumer.timeoutMs / 1000) + FUNCTION_MARGIN_SECONDS);
      if (visibility < timeoutSeconds) throw new Error(`${consumer.name}: its queue's visibility timeout (${visibility} s) is shorter than its function's (${timeoutSeconds} s)`);
      const { fn, logGroup } = makeFunction(consumer.name, this.bundle.handlers.consumer, {
        timeoutSeconds,
        memorySize: pick(props.memorySizeMb, consumer.name, 1024),
        environment: { [AWS_RUNTIME_ENV.consumer]: consumer.name },
        statements: permissionsOf(consumer.name),
      });
      const maxConcurrency = pick(props.maxConcurrency, consumer.name, 5);
      if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) throw new Error(`${consumer.name}: maxConcurrency must be a whole number from 2 to 1000, got ${maxConcurrency}`);
      // A mapping of its own rather than SqsEventSource, which would grant the role its own set of
      // queue actions: the role holds the permissions' statements and nothing else.
      new lambda.EventSourceMapping(this, `${consumer.name}Events`, {
        target: fn,
        eventSourceArn: queue.queueArn,
        batchSize: Math.max(1, Math.min(MAX_BATCH, consumer.concurrency)),
        maxConcurrency,
        reportBatchItemFailures: true,
      });
      return { consumer, function: fn, queue, deadLetterQueue, logGroup };
    });

    if (props.flow.schedule) {
      const { fn } = makeFunction(SCHEDULE_FUNCTION, this.bundle.handlers.schedule, { timeoutSeconds: 60, memorySize: 512, environment: {}, statements: permissionsOf(SCHEDULE_FUNCTION) });
      this.scheduleFunction = fn;
      this.scheduleRule = new events.Rule(this, 'Schedule', {
        ruleName: `${names.prefix}-schedule`,
        description: `${props.flow.name}'s schedule: ${props.flow.schedule.cron} (UTC)`,
        schedule: events.Schedule.expression(eventBridgeCron(props.flow.schedule.cron)),
        targets: [new targets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
      });
    }

    this.watch = new FlowDashboard(this, 'Watch', {
      prefix: names.prefix,
      flowName: props.flow.name,
      consumers: this.consumers.map((c) => ({ name: c.consumer.name, function: c.function, queue: c.queue, deadLetterQueue: c.deadLetterQueue })),
      scheduleFunction: this.scheduleFunction,
    });

    // The asset was copied into the cloud assembly when the functions were made (unless staging is off, as for SAM).
    if (!props.bundle && !this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) rmSync(this.bundle.dir, { recursive: true, force: true });
  }
}

function pick(value: number | Record<string, number> | undefined, consumer: string, fallback: number): number {
  if (value === undefined) return fallback;
  return typeof value === 'number' ? value : (value[consumer] ?? fallback);
}
