/**
 * State store on DynamoDB (AWS SDK v3), for the AWS runtime: many Lambdas at once, no server to
 * keep. The table comes from `createDynamoTable` (`./table.js`, which also lists every item and
 * index); `dataflow aws setup` creates it.
 *
 * Each method is one atomic step, as the port asks:
 *
 * - `save` puts each message conditioned on `attribute_not_exists` (a known id is left as it was),
 *   with its counter (see `./counts.js`) in the same small transaction. A save of several is not
 *   one step: each message is, and saving the list again finishes one cut short.
 * - every status change (settle, revive) moves its counts in its own transaction, so the
 *   browser's counts (`./message-browser.js`) are exact.
 * - `settle` is one TransactWriteItems: the message's update conditioned on `status = pending`,
 *   with a put of each caused message conditioned on not existing. A caused message that already
 *   exists (an earlier try wrote it) is dropped from the transaction, which is sent again. When
 *   the caused messages do not fit in one transaction (100 items, 4 MB), the ones that do not are
 *   written first, each on its own and conditioned on not existing, and the settle with the rest
 *   last: the settle never commits without everything it caused, and a try that dies in between
 *   leaves the message pending, so its redelivery causes the same ids again (they are derived)
 *   and finds them there. Written first for a settle that then loses to another delivery, they
 *   are what that delivery writes too. Nothing is lost, nothing doubled.
 * - `recordAttempt` and `recordFailure` are conditional updates (`status = pending`); so is
 *   `beginAttempt`, after a `save` of the message when it is unknown.
 * - the fan-in: see `./fan-in.js`.
 *
 * This store does not deliver on settle (`enqueuesOnSettle` is not set): SQS cannot share
 * DynamoDB's transaction, so the runtime sends what a settle caused after it committed, and a
 * redelivery of a done message sends it again (receivers drop duplicates by id).
 *
 * Reads along an index (`find`, `unsettled`) are eventually consistent, as DynamoDB's global
 * secondary indexes are: a message just written may show a moment later. No decision depends on
 * them: the fan-in reads its items by key, strongly consistent.
 *
 * Retention is DynamoDB's TTL, not `prune`: a message settled done gets `expiresAt`, `ttlDays`
 * later, and DynamoDB deletes it some time after that. Pending and dead messages never expire, and
 * neither do the fan-in's items, so a late duplicate still replays its decision. As `prune` on the
 * SQL stores keeps the done causes of a dead letter, a dead letter's transaction keeps a copy of
 * each of its causes (see `keepCauses`), with no TTL while any dead letter needs it, so `trace`
 * explains it however long it waits; its re-drive lets them go. The counts leave expired messages
 * out (see `./counts.js`).
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { MessageBrowser } from '../../ports/message-browser.js';
import { causesOf, type MessageQuery, type NewMessage, type StateStore, type StoredMessage } from '../../ports/state-store.js';
import { mapBounded } from '../../core/bounded.js';
import { dynamoMessageBrowser } from './message-browser.js';
import { CountChanges, shardOf } from './counts.js';
import { cancellationCodes, isConditionFailed, lostRace, raceBackoff, refusedForGood } from './dynamo-errors.js';
import { dynamoFanIn, MAX_RACE_ATTEMPTS } from './fan-in.js';
import { messageKey, newMessageItem, rootsOf, statusAttributes, toStored, typeKeyOf, validTimePrefix, type MessageItem } from './message-items.js';
import { INDEX, TTL_ATTRIBUTE } from './table.js';

export interface DynamoStateStoreOptions {
  /** A ready client; the store never destroys it. Default: one from the SDK's settings (AWS_ENDPOINT_URL, AWS_REGION), destroyed by `close()`. */
  client?: DynamoDBClient;
  /** The table `createDynamoTable` made. */
  table: string;
  /** Days a done message is kept before its TTL expires it. @defaultValue 30 */
  ttlDays?: number;
  /** The clock `counts()` leaves out expired messages by (epoch ms). @defaultValue Date.now */
  clock?: () => number;
}

const defaults = { ttlDays: 30, limit: 1000 } satisfies { ttlDays: number; limit: number };

/** Items of one TransactWriteItems: DynamoDB's limit is 100 and 4 MB; the settle's update is one. */
const TRANSACTION_ITEMS = 100;
const TRANSACTION_BYTES = 3.5 * 1024 * 1024;
/** Writes in flight at once for one call. */
const PARALLEL_WRITES = 16;
/** Causes of a dead letter kept with it, nearest first: room in its transaction, and far more than a flow's depth. */
const MAX_KEPT_CAUSES = 64;
const keptKey = (id: string) => ({ pk: `kept#${id}`, sk: '-' });
/** Queries of the cause index in flight at once for a `find` that names several causes. */
const CAUSE_QUERIES_AT_ONCE = 16;
/** Items in `order`, the sort key every message index shares: by valid time, then by arrival. */
const byOrder = (items: MessageItem[]) => items.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));

export function openDynamoStateStore(options: DynamoStateStoreOptions): StateStore & MessageBrowser {
  const { table } = options;
  if (!table) throw new Error('openDynamoStateStore: table must name the state table');
  const ttlDays = options.ttlDays ?? defaults.ttlDays;
  if (!(ttlDays > 0) || !Number.isFinite(ttlDays)) throw new Error(`openDynamoStateStore: ttlDays must be a positive number of days, got ${ttlDays}`);
  const ttlSeconds = Math.round(ttlDays * 86_400);
  const owned = options.client === undefined;
  const base = options.client ?? new DynamoDBClient({});
  const db = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  const fanIn = dynamoFanIn(db, table);

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  function run<T>(operation: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error('the DynamoDB state store is closed'));
    const promise = operation();
    inFlight.add(promise);
    const forget = () => inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  const getItem = async (id: string) => (await db.send(new GetCommand({ TableName: table, Key: messageKey(id), ConsistentRead: true }))).Item as MessageItem | undefined;

  /** The roots of the causes named in `list` that the store holds. */
  async function knownRoots(list: NewMessage[], already: Map<string, string> = new Map()): Promise<Map<string, string>> {
    const roots = new Map(already);
    const causes = [...new Set(list.flatMap((m) => (m.causedBy === undefined || roots.has(m.causedBy) ? [] : [m.causedBy])))];
    for (let i = 0; i < causes.length; i += 100) {
      let keys: Record<string, unknown>[] | undefined = causes.slice(i, i + 100).map(messageKey);
      while (keys && keys.length > 0) {
        const got: BatchGetCommandOutput = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ProjectionExpression: 'id, #root', ExpressionAttributeNames: { '#root': 'root' }, ConsistentRead: true } } }));
        for (const item of got.Responses?.[table] ?? []) roots.set(item.id as string, item.root as string);
        keys = got.UnprocessedKeys?.[table]?.Keys;
      }
    }
    return roots;
  }

  /** Puts one message unless its id is known, counting it in the same transaction; true when it was put. */
  async function putNew(item: MessageItem): Promise<boolean> {
    const counts = new CountChanges().add(item.type, item.status, 1, item[TTL_ATTRIBUTE]).updates(table, shardOf(item.id));
    for (let tries = 1; ; tries++) {
      try {
        await db.send(new TransactWriteCommand({ ClientRequestToken: randomUUID(), TransactItems: [{ Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }, ...counts] }));
        return true;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes?.[0] === 'ConditionalCheckFailed') {
          // The SDK retries a write whose answer was lost; the retry then finds the first try's
          // item. Its arrival, unique to this call, tells our own write from another's.
          return (await getItem(item.id))?.arrival === item.arrival;
        }
        if (!lostRace(error) || tries >= MAX_RACE_ATTEMPTS) throw refusedForGood(error, `message ${item.id} (${item.type})`) ?? error;
        await raceBackoff(tries); // a counter shared with a write in flight
      }
    }
  }

  async function putAllNew(items: MessageItem[]): Promise<boolean[]> {
    const results: boolean[] = [];
    for (let i = 0; i < items.length; i += PARALLEL_WRITES) results.push(...(await Promise.all(items.slice(i, i + PARALLEL_WRITES).map(putNew))));
    return results;
  }

  /** Queries an index (or scans, when `input` is undefined) until `limit` items passed `keep`. */
  async function collect(input: Omit<QueryCommandInput, 'TableName'> | undefined, keep: (item: MessageItem) => boolean, limit: number): Promise<MessageItem[]> {
    const found: MessageItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = input
        ? await db.send(new QueryCommand({ TableName: table, ...input, ExclusiveStartKey: start }))
        : await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, FilterExpression: 'begins_with(pk, :msg)', ExpressionAttributeValues: { ':msg': 'msg#' } }));
      for (const item of (page.Items ?? []) as MessageItem[]) if (found.length < limit && keep(item)) found.push(item);
      start = page.LastEvaluatedKey;
    } while (start && (found.length < limit || !input));
    return found;
  }

  const browser = dynamoMessageBrowser(db, table, options.clock);

  /**
   * What `trace` needs to explain a dead letter, kept as long as it is dead: a copy of each of its
   * causes (`kept#<id>`, out of every index), held by the dead letters that need it (`keptFor`)
   * and with no TTL while one does. The causes themselves expire as done messages do; `get` falls
   * back to the copy. Written in the dead letter's own transaction.
   */
  async function keepCauses(dead: MessageItem): Promise<Record<string, unknown>[]> {
    const kept: Record<string, unknown>[] = [];
    const seen = new Set([dead.id]);
    for (let next = dead.causedBy; next !== undefined && !seen.has(next) && kept.length < MAX_KEPT_CAUSES; ) {
      seen.add(next);
      const cause = (await getItem(next).then((item) => item && toStored(item))) ?? (await keptCopy(next));
      if (!cause) break; // expired before this store kept causes: the chain ends here
      kept.push({
        Update: {
          TableName: table,
          Key: keptKey(cause.id),
          UpdateExpression: `SET #copy = :copy ADD keptFor :dead REMOVE ${TTL_ATTRIBUTE}`,
          ExpressionAttributeNames: { '#copy': 'copy' },
          ExpressionAttributeValues: { ':copy': JSON.stringify(cause), ':dead': new Set([dead.id]) },
        },
      });
      next = cause.causedBy;
    }
    return kept;
  }

  const keptCopy = async (id: string): Promise<StoredMessage | undefined> => {
    const item = (await db.send(new GetCommand({ TableName: table, Key: keptKey(id), ConsistentRead: true }))).Item as { copy: string } | undefined;
    return item && (JSON.parse(item.copy) as StoredMessage);
  };

  /** A revived dead letter lets go of its causes' copies; one no dead letter holds any more expires as its cause would. */
  async function releaseCauses(revived: MessageItem, now: number): Promise<void> {
    const seen = new Set([revived.id]);
    for (let next = revived.causedBy; next !== undefined && !seen.has(next); ) {
      seen.add(next);
      let after: Record<string, unknown> | undefined;
      try {
        ({ Attributes: after } = await db.send(
          new UpdateCommand({ TableName: table, Key: keptKey(next), UpdateExpression: 'DELETE keptFor :dead', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':dead': new Set([revived.id]) }, ReturnValues: 'ALL_NEW' }),
        ));
      } catch (error) {
        if (isConditionFailed(error)) return; // no copy: the chain was not kept from here on
        throw error;
      }
      if (after?.keptFor === undefined) {
        await db
          .send(new UpdateCommand({ TableName: table, Key: keptKey(next), UpdateExpression: `SET ${TTL_ATTRIBUTE} = :expires`, ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(keptFor)', ExpressionAttributeValues: { ':expires': Math.floor(now / 1000) + ttlSeconds } }))
          .catch((error: unknown) => {
            if (!isConditionFailed(error)) throw error; // held again meanwhile, by another dead letter
          });
      }
      next = (JSON.parse(String(after?.copy ?? 'null')) as StoredMessage | null)?.causedBy;
    }
  }

  return {
    search: (query) => run(() => browser.search(query)),
    counts: () => run(() => browser.counts()),
    activity: (since, bucketMs) => run(() => browser.activity(since, bucketMs)),

    save(list, now) {
      return run(async () => {
        if (list.length === 0) return [];
        const roots = rootsOf(list, await knownRoots(list));
        // The first of each id only: a copy later in the list is a known id by then.
        const seen = new Set<string>();
        const firsts = list.flatMap((m, i) => (seen.has(m.id) ? [] : (seen.add(m.id), [newMessageItem(m, roots[i]!, now, ttlSeconds)])));
        const put = await putAllNew(firsts);
        return firsts.filter((_, i) => put[i]).map((item) => item.id);
      });
    },

    get(id) {
      return run(async () => {
        const item = await getItem(id);
        return item ? toStored(item) : keptCopy(id);
      });
    },

    settle(id, settlement, caused, now) {
      return run(async () => {
        const message = await getItem(id);
        if (!message) throw new Error(`cannot settle message ${id}: it was never recorded`);
        if (message.status !== 'pending') return false;
        const roots = rootsOf(caused, await knownRoots(caused, new Map([[id, message.root]])));
        const seen = new Set<string>();
        const items = caused.flatMap((m, i) => (seen.has(m.id) ? [] : (seen.add(m.id), [newMessageItem(m, roots[i]!, now, ttlSeconds)])));
        const kept = settlement.status === 'dead' ? await keepCauses(message) : [];
        // What fits with the settle goes in its transaction; the rest is written first (see the file's doc).
        // The settle's update, a counter per type and status changed (see `./counts.js`), the kept causes.
        const fixed = 1 + 2 + new Set(items.map((item) => JSON.stringify([item.type, item.status]))).size + kept.length;
        let first = items.length;
        for (let bytes = 0; first > 0 && items.length - first + fixed < TRANSACTION_ITEMS; first--) {
          bytes += Buffer.byteLength(items[first - 1]!.body) + 1024; // the body, and room for the rest of the item
          if (bytes > TRANSACTION_BYTES) break;
        }
        const inTransaction = items.slice(first);
        await putAllNew(items.slice(0, first));

        const reason = settlement.status === 'dead' ? settlement.reason : undefined;
        // `settledBy`: unique to this call, so a retry that finds the message settled can tell its own settle.
        const settledBy = randomUUID();
        const attributes = { status: settlement.status, attempts: settlement.attempts, updatedAt: now, settledBy, ...(reason === undefined ? {} : { reason }), ...statusAttributes(id, settlement.status, message.root, now, ttlSeconds) };
        const names = Object.fromEntries(Object.keys(attributes).map((name, i) => [`#a${i}`, name]));
        const values = Object.fromEntries(Object.values(attributes).map((value, i) => [`:a${i}`, value]));
        const removed = ['pendingRoot', ...(reason === undefined ? ['reason'] : [])].filter((name) => !(name in attributes));
        const update = {
          Update: {
            TableName: table,
            Key: messageKey(id),
            UpdateExpression: `SET ${Object.keys(names).map((n, i) => `${n} = :a${i}`).join(', ')}${removed.length ? ` REMOVE ${removed.join(', ')}` : ''}`,
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { ...names, '#status': 'status' },
            ExpressionAttributeValues: { ...values, ':pending': 'pending' },
          },
        };
        let puts = inTransaction;
        for (let tries = 1; ; tries++) {
          const counts = new CountChanges().add(message.type, 'pending', -1).add(message.type, settlement.status, 1, attributes[TTL_ATTRIBUTE]);
          for (const item of puts) counts.add(item.type, item.status, 1, item[TTL_ATTRIBUTE]);
          // Idempotent for ten minutes: DynamoDB answers an SDK retry of a transaction that
          // committed, its answer lost, as it answered the first.
          const token = randomUUID();
          try {
            const written = puts.map((Item) => ({ Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' } }));
            await db.send(new TransactWriteCommand({ ClientRequestToken: token, TransactItems: [update, ...written, ...counts.updates(table, shardOf(id)), ...kept] }));
            return true;
          } catch (error) {
            const codes = cancellationCodes(error);
            if (!codes) throw refusedForGood(error, `the settle of message ${id} with ${items.length} caused messages`) ?? error;
            // Settled: by another delivery, or by this call's own try whose answer was lost and
            // which the SDK sent again (the token makes DynamoDB answer that retry as the first).
            if (codes[0] === 'ConditionalCheckFailed') return (await getItem(id))?.settledBy === settledBy;
            const known = puts.filter((_, i) => codes[i + 1] === 'ConditionalCheckFailed');
            if (known.length > 0) puts = puts.filter((item) => !known.includes(item)); // written by an earlier try: leave them as they are
            else if (!lostRace(error) || tries >= MAX_RACE_ATTEMPTS) throw error; // the runtime retries the message
            else await raceBackoff(tries); // a conflict with a write in flight (on a counter, say): try again
          }
        }
      });
    },

    recordAttempt(id, change = 1) {
      return run(async () => {
        try {
          const { Attributes } = await db.send(
            new UpdateCommand({
              TableName: table,
              Key: messageKey(id),
              UpdateExpression: 'ADD attempts :change',
              // Never below 0: giving back from 0 changes nothing.
              ConditionExpression: change < 0 ? '#status = :pending AND attempts > :zero' : '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':change': change, ':pending': 'pending', ...(change < 0 ? { ':zero': 0 } : {}) },
              ReturnValues: 'UPDATED_NEW',
            }),
          );
          return Attributes?.attempts as number;
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          const item = change < 0 ? await getItem(id) : undefined;
          return item?.status === 'pending' ? item.attempts : undefined;
        }
      });
    },

    beginAttempt(message, now) {
      return run(async () => {
        /** Counts an attempt if the message is pending; the item after, else undefined. */
        const countAttempt = async () => {
          try {
            const { Attributes } = await db.send(
              new UpdateCommand({
                TableName: table,
                Key: messageKey(message.id),
                UpdateExpression: 'ADD attempts :one',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
                ReturnValues: 'ALL_NEW',
              }),
            );
            return Attributes as MessageItem;
          } catch (error) {
            if (isConditionFailed(error)) return undefined;
            throw error;
          }
        };
        // Usually one write: a delivered message was recorded when its cause settled.
        const counted = await countAttempt();
        if (counted) return toStored(counted);
        let item = await getItem(message.id);
        if (!item) {
          const roots = rootsOf([message], await knownRoots([message]));
          await putNew(newMessageItem(message, roots[0]!, now, ttlSeconds));
          item = (await countAttempt()) ?? (await getItem(message.id));
        }
        if (!item) throw new Error(`message ${message.id} was neither recorded nor found`);
        return toStored(item);
      });
    },

    recordFailure(id, reason) {
      return run(async () => {
        try {
          await db.send(
            new UpdateCommand({
              TableName: table,
              Key: messageKey(id),
              UpdateExpression: 'ADD failures :one SET reason = :reason',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':one': 1, ':reason': reason, ':pending': 'pending' },
            }),
          );
          return true;
        } catch (error) {
          if (isConditionFailed(error)) return false;
          throw error;
        }
      });
    },

    find(query: MessageQuery) {
      return run(async () => {
        const limit = query.limit ?? defaults.limit;
        if (!Number.isInteger(limit) || limit < 0) throw new Error(`limit must be a non-negative integer, got ${limit}`);
        if (limit === 0) return [];
        const { from, to } = query.validTime ?? {};
        const causes = causesOf(query);
        const keep = (m: MessageItem) =>
          (query.type === undefined || m.type === query.type) &&
          (query.key === undefined || m.key === query.key) &&
          (query.status === undefined || m.status === query.status) &&
          (causes === undefined || (m.causedBy !== undefined && causes.has(m.causedBy))) &&
          (from === undefined || (m.validTime !== undefined && m.validTime >= from)) &&
          (to === undefined || (m.validTime !== undefined && m.validTime <= to));
        // Along `order`: the valid-time range becomes a range of the sort key.
        const range = (partition: string, value: string): Omit<QueryCommandInput, 'TableName'> => {
          const low = from === undefined ? undefined : validTimePrefix(from);
          const high = to === undefined ? undefined : `${validTimePrefix(to)}#\uffff`;
          const names = { '#p': partition, '#o': 'order' };
          if (low && high) return { KeyConditionExpression: '#p = :p AND #o BETWEEN :low AND :high', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':p': value, ':low': low, ':high': high } };
          if (low) return { KeyConditionExpression: '#p = :p AND #o >= :low', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':p': value, ':low': low } };
          if (high) return { KeyConditionExpression: '#p = :p AND #o <= :high', ExpressionAttributeNames: names, ExpressionAttributeValues: { ':p': value, ':high': high } };
          return { KeyConditionExpression: '#p = :p', ExpressionAttributeNames: { '#p': partition }, ExpressionAttributeValues: { ':p': value } };
        };
        let items: MessageItem[];
        if (causes !== undefined) {
          // One query of the cause index per cause, a few at a time, merged in the index's order.
          const each = await mapBounded([...causes], CAUSE_QUERIES_AT_ONCE, (cause) => collect({ IndexName: INDEX.byCause, ...range('causedBy', cause) }, keep, limit));
          items = causes.size === 1 ? each[0]! : byOrder(each.flat()).slice(0, limit);
        } else if (query.type !== undefined && query.key !== undefined) items = await collect({ IndexName: INDEX.byTypeKey, ...range('typeKey', typeKeyOf(query.type, query.key)) }, keep, limit);
        else if (query.type !== undefined) items = await collect({ IndexName: INDEX.byType, ...range('type', query.type) }, keep, limit);
        else if (query.status === 'dead') items = await collect({ IndexName: INDEX.dead, ...range('deadLetter', 'dead') }, keep, limit);
        else {
          // No index serves this (pending or done without a type, a key alone, nothing at all):
          // a scan, for people and tools looking, never on a handler's path.
          items = byOrder(await collect(undefined, keep, Number.MAX_SAFE_INTEGER)).slice(0, limit);
        }
        return items.map(toStored);
      });
    },

    unsettled(rootIds) {
      return run(async () => {
        if (rootIds.length === 0) return 0;
        const roots = new Set((await Promise.all([...new Set(rootIds)].map(getItem))).flatMap((item) => (item ? [item.root] : [])));
        let pending = 0;
        for (const root of roots) {
          let start: Record<string, unknown> | undefined;
          do {
            const page = await db.send(
              new QueryCommand({ TableName: table, IndexName: INDEX.pendingRoot, KeyConditionExpression: 'pendingRoot = :root', ExpressionAttributeValues: { ':root': root }, Select: 'COUNT', ExclusiveStartKey: start }),
            );
            pending += page.Count ?? 0;
            start = page.LastEvaluatedKey;
          } while (start);
        }
        return pending;
      });
    },

    revive(ids, now) {
      return run(async () => {
        const targets =
          ids === 'all'
            ? (await collect({ IndexName: INDEX.dead, KeyConditionExpression: 'deadLetter = :dead', ExpressionAttributeValues: { ':dead': 'dead' } }, () => true, Number.MAX_SAFE_INTEGER))
                .sort((a, b) => (a.arrival < b.arrival ? -1 : 1))
                .map((item) => item.id)
            : [...new Set(ids)];
        const revived: StoredMessage[] = [];
        for (const id of targets) {
          const dead = await getItem(id);
          if (dead?.status !== 'dead') continue; // not dead (any more), or never recorded
          const counts = new CountChanges().add(dead.type, 'dead', -1).add(dead.type, 'pending', 1).updates(table, shardOf(id));
          const update = {
            Update: {
              TableName: table,
              Key: messageKey(id),
              // Back in the index of pending messages by root, out of the dead letters and the settled, no TTL.
              UpdateExpression: `SET #status = :pending, attempts = :zero, failures = :zero, updatedAt = :now, pendingRoot = #root REMOVE reason, deadLetter, settledShard, ${TTL_ATTRIBUTE}`,
              ConditionExpression: '#status = :dead',
              ExpressionAttributeNames: { '#status': 'status', '#root': 'root' },
              ExpressionAttributeValues: { ':pending': 'pending', ':dead': 'dead', ':zero': 0, ':now': now },
            },
          };
          for (let tries = 1; ; tries++) {
            try {
              await db.send(new TransactWriteCommand({ ClientRequestToken: randomUUID(), TransactItems: [update, ...counts] }));
              revived.push(toStored({ ...dead, status: 'pending', attempts: 0, failures: 0, reason: undefined, updatedAt: now }));
              await releaseCauses(dead, now);
              break;
            } catch (error) {
              if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') break; // another caller revived it first
              if (!lostRace(error) || tries >= MAX_RACE_ATTEMPTS) throw error;
              await raceBackoff(tries);
            }
          }
        }
        return revived;
      });
    },

    addToWindow: (group, member, size) => run(() => fanIn.addToWindow(group, member, size)),
    windowOf: (group, memberId) => run(() => fanIn.windowOf(group, memberId)),
    openWindow: (group) => run(() => fanIn.openWindow(group)),
    addPart: (set, expected, part) => run(() => fanIn.addPart(set, expected, part)),

    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
      if (owned) base.destroy();
    },
  };
}
