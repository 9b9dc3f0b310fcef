/**
 * The names of a deployment's resources, all from its prefix (DATAFLOW_AWS_PREFIX), so dev,
 * staging and prod live side by side in one account: the state table `<prefix>-state`, the bucket
 * `<prefix>-blobs` (lower case, as S3 wants), the queues `<prefix>-<consumer>` with their
 * `-dlq`, and the secret of the flow's secret settings `/<prefix>/secrets` (see aws-secrets).
 */
import { awsPrefix } from '../../adapters/aws/prefix.js';
import { deadLetterQueueNameOf, queueNameOf } from '../../adapters/sqs/queue-names.js';

export interface AwsResourceNames {
  prefix: string;
  table: string;
  bucket: string;
  queueOf(consumer: string): string;
  deadLetterQueueOf(consumer: string): string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `bucket` overrides the derived bucket (bucket names are global, so `<prefix>-blobs` may be taken). */
export function awsResourceNames(prefix?: string, options: { bucket?: string; environment?: NodeJS.ProcessEnv } = {}): AwsResourceNames {
  const checked = awsPrefix(prefix, options.environment);
  const bucket = options.bucket ?? `${checked.toLowerCase().replace(/_/g, '-')}-blobs`;
  if (!BUCKET.test(bucket)) throw new Error(`${JSON.stringify(bucket)} is not a valid S3 bucket name (3 to 63 of a-z 0-9 . -, starting and ending with a letter or digit)`);
  return {
    prefix: checked,
    table: `${checked}-state`,
    bucket,
    queueOf: (consumer) => queueNameOf(checked, consumer),
    deadLetterQueueOf: (consumer) => deadLetterQueueNameOf(checked, consumer),
  };
}
