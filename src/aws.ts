/**
 * `dataflow/aws`: the adapters of the AWS runtime, as in the talk: SQS between the mediator and
 * the workers (with a local host of Lambda's event source mapping, so the same handlers run in one
 * process against moto, LocalStack or an account), state in DynamoDB, mail through SES v2, files in
 * S3, and the flow's secret settings in SSM or Secrets Manager. Resources are named from one prefix
 * (DATAFLOW_AWS_PREFIX, default `dataflow`); endpoints and regions come from the AWS SDK's own
 * settings (AWS_ENDPOINT_URL, AWS_REGION). This entry loads the AWS SDK; the root entry never does.
 */
export { awsPrefix, AWS_ENV, DEFAULT_AWS_PREFIX } from './adapters/aws/prefix.js';

export { sqsTransport, type SqsTransport, type SqsTransportOptions } from './adapters/sqs/transport.js';
export { sqsSender, delaySecondsOf, MAX_DELAY_SECONDS, type SqsSender, type SqsSenderOptions, type SendOptions } from './adapters/sqs/sender.js';
export { hostEventSources, type EventSourceHost, type EventSourceHostOptions, type EventSourceMapping } from './adapters/sqs/event-source-host.js';
export { batchHandlerOf, deliveryBatchHandler, type SqsBatchHandler } from './adapters/sqs/delivery-handler.js';
export { batchResponseOf, type RecordOutcome } from './adapters/sqs/batch-response.js';
export { sqsVisibility, visibilitySecondsOf, MAX_RETRY_DELAY_SECONDS, type RetryLater, type Visibility } from './adapters/sqs/visibility.js';
export { deliveryOf, messageIdOf, MAX_MESSAGE_BYTES } from './adapters/sqs/message-body.js';
export { recordOf, type QueueIdentity } from './adapters/sqs/event-records.js';
export type { SQSEvent, SQSRecord, SQSRecordAttributes, SQSMessageAttribute, SQSMessageAttributes, SQSBatchResponse, SQSBatchItemFailure } from './adapters/sqs/sqs-event.js';
export { queueNameOf, deadLetterQueueNameOf, queueUrls, QueueMissingError, type QueueUrls, type QueueUrlOptions } from './adapters/sqs/queue-names.js';
export {
  setUpQueues,
  queueDepths,
  maxReceiveCountOf,
  visibilityTimeoutOf,
  type QueueConsumer,
  type QueueSetupOptions,
  type QueueSetup,
  type QueueDepth,
} from './adapters/sqs/queues.js';

export { sesMailer, type SesMailerOptions } from './adapters/ses/mailer.js';
export { ensureSenderIdentity, type SenderIdentity } from './adapters/ses/sender-identity.js';
export { s3BlobStore, type S3BlobStoreOptions } from './adapters/s3/blob-store.js';

export { secretSettingsReader, storeSecretSettings, type SecretSettings, type SecretSettingsReader, type SecretClients } from './adapters/aws-secrets/secret-settings.js';
export { secretSettingsSource, parseSecretSource, describeSource, type SecretSource } from './adapters/aws-secrets/secret-source.js';

export { openDynamoStateStore, type DynamoStateStoreOptions } from './adapters/dynamodb/state-store.js';
export { createDynamoTable, stateTableDefinition, type CreateDynamoTableOptions } from './adapters/dynamodb/table.js';
export { MAX_BODY_BYTES as MAX_DYNAMO_BODY_BYTES } from './adapters/dynamodb/message-items.js';

// The runtime: the handlers a deployment runs (Lambda entries in runtimes/aws/handlers/), the
// same handlers hosted in one process, and the setup of what the stack makes.
export { consumerHandler, scheduleHandler, type ContextSource, type ConsumerHandlerOptions, type ScheduledEvent, type ScheduleResult } from './runtimes/aws/handlers.js';
export { coldStart, type AwsContext, type ColdStartOptions } from './runtimes/aws/cold-start.js';
export { lambdaContext } from './runtimes/aws/lambda-context.js';
export { readAwsSettings, AWS_RUNTIME_ENV, type AwsRuntimeSettings } from './runtimes/aws/settings.js';
export { awsResourceNames, type AwsResourceNames } from './runtimes/aws/resource-names.js';
export { openAwsRuntime, DEFAULT_HANDLERS_PER_QUEUE, type AwsRuntime, type AwsRuntimeOptions } from './runtimes/aws/runtime.js';
export { setUpAws, declaredSecretsFromEnvironment, type AwsSetup, type AwsSetupOptions } from './runtimes/aws/setup.js';
