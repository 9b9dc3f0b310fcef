/**
 * The event a Lambda function fed by SQS receives, and the partial batch response it answers
 * with, as AWS documents them (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). The
 * same shapes as `@types/aws-lambda`'s SQSEvent and SQSBatchResponse, declared here so that
 * `dataflow/aws` types need no extra package; a handler typed with either fits the other.
 */
export interface SQSRecordAttributes {
  AWSTraceHeader?: string;
  ApproximateReceiveCount: string;
  SentTimestamp: string;
  SenderId: string;
  ApproximateFirstReceiveTimestamp: string;
  SequenceNumber?: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  DeadLetterQueueSourceArn?: string;
}

export interface SQSMessageAttribute {
  stringValue?: string;
  /** Base64. */
  binaryValue?: string;
  stringListValues?: string[];
  binaryListValues?: string[];
  dataType: string;
}

export type SQSMessageAttributes = Record<string, SQSMessageAttribute>;

export interface SQSRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: SQSRecordAttributes;
  messageAttributes: SQSMessageAttributes;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
}

export interface SQSEvent {
  Records: SQSRecord[];
}

export interface SQSBatchItemFailure {
  itemIdentifier: string;
}

export interface SQSBatchResponse {
  batchItemFailures: SQSBatchItemFailure[];
}
