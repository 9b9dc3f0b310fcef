/**
 * `dataflow aws setup`: makes what the stack would, idempotently, so a run against an emulator
 * or a fresh account has somewhere to go: each consumer's queue with its dead-letter queue, the
 * state table (with TTL), the bucket (private: every public access blocked, no ACL sent), the
 * SES sender identity, and the secret settings the flow declares found in the environment, stored
 * as the stack's secret. Running it again changes nothing that is right already.
 */
import { CreateBucketCommand, PutPublicAccessBlockCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { storeSecretSettings, type SecretSettings } from '../../adapters/aws-secrets/secret-settings.js';
import { createDynamoTable } from '../../adapters/dynamodb/table.js';
import { ensureSenderIdentity, type SenderIdentity } from '../../adapters/ses/sender-identity.js';
import { setUpQueues, type QueueConsumer, type QueueSetup } from '../../adapters/sqs/queues.js';
import type { AwsRuntimeSettings } from './settings.js';

export interface AwsSetupOptions {
  settings: AwsRuntimeSettings;
  /** The flow's consumers: `flow.consumers()`. */
  consumers: QueueConsumer[];
  /** The flow's secret settings to store, when the environment has them (`declaredSecretsFromEnvironment`). */
  secrets?: SecretSettings;
}

export interface AwsSetup {
  queues: QueueSetup[];
  table: { name: string; created: boolean };
  bucket: { name: string; created: boolean };
  sender?: SenderIdentity;
  /** Where the secret settings were stored, when they were. */
  secret?: string;
}

export async function setUpAws(options: AwsSetupOptions): Promise<AwsSetup> {
  const { settings } = options;
  const { names } = settings;
  const sqs = new SQSClient({});
  const dynamo = new DynamoDBClient({});
  const s3 = new S3Client({ forcePathStyle: Boolean(settings.endpoint) });
  const ses = new SESv2Client({});
  try {
    const queues = await setUpQueues(options.consumers, { client: sqs, prefix: names.prefix });
    const table = await createDynamoTable({ client: dynamo, table: names.table });
    const bucket = await createPrivateBucket(s3, names.bucket);
    const sender = settings.sesFrom && !settings.smtpUrl ? await ensureSenderIdentity(ses, settings.sesFrom) : undefined;
    const secret = options.secrets ? await storeSecretSettings(settings.secretSource, options.secrets) : undefined;
    return { queues, table: { name: names.table, created: table.created }, bucket, sender, secret };
  } finally {
    for (const client of [sqs, dynamo, s3, ses]) client.destroy();
  }
}

async function createPrivateBucket(s3: S3Client, bucket: string): Promise<{ name: string; created: boolean }> {
  const region = await s3.config.region();
  let created = true;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }) }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'BucketAlreadyOwnedByYou') created = false;
    else if (name === 'BucketAlreadyExists') throw new Error(`the bucket ${bucket} belongs to another account (bucket names are global): set DATAFLOW_AWS_BUCKET to another name`, { cause: error });
    else throw new Error(`could not create the bucket ${bucket}: ${name}: ${(error as Error).message}`, { cause: error });
  }
  await s3.send(
    new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }),
  );
  return { name: bucket, created };
}

/**
 * The secret settings the flow declares, from the environment: all of them, or none (undefined).
 * Some set and some not is an error naming those missing, before anything is made.
 */
export function declaredSecretsFromEnvironment(declared: readonly string[], environment: Readonly<Record<string, string | undefined>>): SecretSettings | undefined {
  const set = declared.filter((name) => environment[name]);
  if (set.length === 0) return undefined;
  const missing = declared.filter((name) => !environment[name]);
  if (missing.length > 0) throw new Error(`the flow declares the secret settings ${declared.join(', ')}: set all of them to store them, or none (${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set)`);
  return Object.fromEntries(declared.map((name) => [name, environment[name]!]));
}
