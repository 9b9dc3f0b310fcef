/**
 * The state store's one DynamoDB table: its key schema, its indexes, and `createDynamoTable`.
 *
 * Every item has a partition key `pk` and a sort key `sk` (strings). A name inside a key is whole
 * in one of the two, so no `#` inside a group or id can make two items collide.
 *
 * | item          | pk                 | sk                 | holds                                            |
 * |---------------|--------------------|--------------------|--------------------------------------------------|
 * | message       | `msg#<id>`         | `-`                | the message, its status, counts, root, TTL       |
 * | open window   | `window#<group>`   | `-`                | `closed`, `members` (< size), `version`          |
 * | closed batch  | `batch#<group>`    | index, 10 digits   | `members`, `closedBy`; written once              |
 * | member link   | `member#<group>`   | member id          | `index` of the window it joined; written once    |
 * | known set     | `set#<name>`       | `-`                | `expected`, `parts`, `completedBy`, `version`    |
 * | counter       | `counts#<shard>`   | `[type, status]`, done: `[type, status, day]` | `n`: see `./counts.js` |
 * | kept cause    | `kept#<id>`        | `-`                | a dead letter's cause, as `copy`; `keptFor`     |
 *
 * The global secondary indexes, each holding message items only (an item without the index's
 * partition key attribute is left out of it: a sparse index):
 *
 * | index          | partition key         | sort key  | serves                                              |
 * |----------------|-----------------------|-----------|-----------------------------------------------------|
 * | `by-type-key`  | `typeKey` (type, key) | `order`   | `find({ type, key, validTime })`: the mediator's    |
 * | `by-type`      | `type`                | `order`   | `find({ type })` without a key                      |
 * | `by-cause`     | `causedBy`            | `order`   | `find({ causedBy })`: `trace` and the causal chain  |
 * | `dead`         | `deadLetter` (`dead`) | `order`   | `find({ status: 'dead' })`, `revive('all')`: sparse |
 * | `pending-root` | `pendingRoot` (root)  | (none)    | `unsettled(roots)`: a COUNT, pending messages only  |
| `recent`       | `recentShard` (1 of 8)| `recorded`| the browser's `search`, newest first: every shard   |
| `settled`      | `settledShard` (1 of 8)| `updatedAt`| the browser's `activity`: settled messages only    |
 *
 * `order` is the valid time, encoded to sort as text (messages without one after all others),
 * then the arrival (wall-clock ms, then a counter within the process); `recorded` is the time
recorded (the caller's clock), then the arrival, so a query along any of
 * these indexes returns messages by valid time, then arrival, as the port asks. Messages are keyed
 * by id, never by time: two messages of one type in the same millisecond are two items (the 2017
 * table keyed them by type and `dateCreated`, and the second overwrote the first).
 *
 * Old done messages expire through the TTL attribute `expiresAt` (epoch seconds), set when a
 * message settles done. Pending and dead messages have none, and the fan-in's items never expire.
 * A counter of done messages expires at the end of the day their TTLs end; a kept cause once no
 * dead letter holds it (see `keepCauses` in `./state-store.js`).
 */
import {
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';

export const INDEX = {
  byTypeKey: 'by-type-key',
  byType: 'by-type',
  byCause: 'by-cause',
  dead: 'dead',
  pendingRoot: 'pending-root',
  recent: 'recent',
  settled: 'settled',
} as const;

export const TTL_ATTRIBUTE = 'expiresAt';

export interface CreateDynamoTableOptions {
  /** Default: a client from the SDK's own settings (AWS_ENDPOINT_URL, AWS_REGION). */
  client?: DynamoDBClient;
  table: string;
  /** How long to wait for the table to become active. @defaultValue 300 */
  maxWaitSeconds?: number;
}

const index = (name: string, partition: string, sort: string | undefined, projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'): GlobalSecondaryIndex => ({
  IndexName: name,
  KeySchema: [{ AttributeName: partition, KeyType: 'HASH' }, ...(sort ? [{ AttributeName: sort, KeyType: 'RANGE' as const }] : [])],
  Projection: { ProjectionType: projection },
});

/** The table definition `createDynamoTable` sends, for a stack template to copy. */
export function stateTableDefinition(table: string) {
  return {
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' as const },
      { AttributeName: 'sk', KeyType: 'RANGE' as const },
    ],
    AttributeDefinitions: [
      ...['pk', 'sk', 'typeKey', 'type', 'causedBy', 'deadLetter', 'pendingRoot', 'order', 'recentShard', 'recorded', 'settledShard'].map((AttributeName) => ({ AttributeName, AttributeType: 'S' as const })),
      { AttributeName: 'updatedAt', AttributeType: 'N' as const },
    ],
    GlobalSecondaryIndexes: [
      index(INDEX.byTypeKey, 'typeKey', 'order', 'ALL'),
      index(INDEX.byType, 'type', 'order', 'ALL'),
      index(INDEX.byCause, 'causedBy', 'order', 'ALL'),
      index(INDEX.dead, 'deadLetter', 'order', 'ALL'),
      // Counted only: the keys are all a COUNT needs.
      index(INDEX.pendingRoot, 'pendingRoot', undefined, 'KEYS_ONLY'),
      index(INDEX.recent, 'recentShard', 'recorded', 'ALL'),
      { ...index(INDEX.settled, 'settledShard', 'updatedAt', 'INCLUDE'), Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: ['type', 'status', 'createdAt'] } },
    ],
  };
}

/**
 * Creates the state table with its indexes (on demand billing), waits until it is active, and
 * turns on TTL. Safe to run again on a table that exists: what `dataflow aws setup` calls.
 * Returns whether it created the table.
 */
export async function createDynamoTable(options: CreateDynamoTableOptions): Promise<{ created: boolean }> {
  const { table } = options;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw new Error(`createDynamoTable: ${JSON.stringify(table)} is not a valid DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ - .)`);
  const client = options.client ?? new DynamoDBClient({});
  try {
    let created = true;
    try {
      await client.send(new CreateTableCommand(stateTableDefinition(table)));
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
      created = false; // it exists (or is being created): wait for it all the same
    }
    await waitUntilTableExists({ client, maxWaitTime: options.maxWaitSeconds ?? 300, minDelay: 1 }, { TableName: table });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
    if (status !== 'ENABLED' && status !== 'ENABLING') {
      await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
    }
    return { created };
  } finally {
    if (!options.client) client.destroy();
  }
}
