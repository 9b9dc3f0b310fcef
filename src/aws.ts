/**
 * `dataflow/aws`: the adapters of the AWS runtime, as in the talk. This entry loads the AWS SDK;
 * the root entry never does.
 */
export { openDynamoStateStore, type DynamoStateStoreOptions } from './adapters/dynamodb/state-store.js';
export { createDynamoTable, stateTableDefinition, type CreateDynamoTableOptions } from './adapters/dynamodb/table.js';
export { MAX_BODY_BYTES as MAX_DYNAMO_BODY_BYTES } from './adapters/dynamodb/message-items.js';
