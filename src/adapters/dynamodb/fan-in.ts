/**
 * The fan-in on DynamoDB, as the port describes for a key-value store: each decision reads a few
 * items by key (strongly consistent), then writes once, conditioned on what it read.
 *
 * - A window: one TransactWriteItems of at most three items, the open window conditioned on the
 *   `version` read (or on not existing yet), the member's link on not existing, and, when the
 *   member closes the window, the batch on not existing. Two adders that read the same version
 *   cannot both commit: the loser's transaction is cancelled, changing nothing, and it reads again.
 *   So no member joins two batches, and each index is closed by exactly one member.
 * - A known set: one conditional PutItem of its one item (`version`, or not existing yet).
 *
 * A loser retries a bounded number of times with a growing jittered wait, then gives up with an
 * error saying so (the runtime retries the message later).
 *
 * Within one process, the decisions on one window or set are taken one after the other: the
 * processor runs a batch's deliveries side by side, and all of them add to the same few windows
 * (one per imageId). Run at once, they would all read the same version, and all but one lose and
 * read again, so the calls per member grow with the members arriving together (60 inputs of the
 * doubling example at once took 5.6 times the DynamoDB calls of the same work in turn, and the
 * calls per message grew with the inputs). Taken in turn, each reads what the
 * one before wrote and commits at its first try; the conditions still decide between processes. Values are kept as JSON text, so what
 * comes back is what was given, as the other stores keep it.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { RetryableError } from '../../core/errors.js';
import { oneAtATime } from '../../core/one-at-a-time.js';
import type { Batch, CompleteSet, Member, OpenWindow, Part } from '../../ports/state-store.js';
import { checkKnownSet, checkWindowSize, completeSet, keptExpected, toBatch, windowStep } from '../fan-in/decisions.js';
import { isConditionFailed, lostRace, raceBackoff, refusedForGood } from './dynamo-errors.js';

/** Tries of one decision before it gives up under contention. */
export const MAX_RACE_ATTEMPTS = 60;

const windowKey = (group: string) => ({ pk: `window#${group}`, sk: '-' });
const batchKey = (group: string, index: number) => ({ pk: `batch#${group}`, sk: String(index).padStart(10, '0') });
const linkKey = (group: string, memberId: string) => ({ pk: `member#${group}`, sk: memberId });
const setKey = (name: string) => ({ pk: `set#${name}`, sk: '-' });

interface WindowItem {
  closed: number;
  members: string;
  version: number;
}

interface SetItem {
  expected: string[];
  parts: string;
  completedBy?: string;
  version: number;
}

export interface DynamoFanIn {
  addToWindow(group: string, member: Member, size: number): Promise<Batch | undefined>;
  windowOf(group: string, memberId: string): Promise<Batch | undefined>;
  openWindow(group: string): Promise<OpenWindow>;
  addPart(set: string, expected: string[], part: Part): Promise<CompleteSet | undefined>;
}

export function dynamoFanIn(db: DynamoDBDocumentClient, table: string): DynamoFanIn {
  const inTurn = oneAtATime();
  const read = async <T>(Key: Record<string, string>): Promise<T | undefined> => (await db.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }))).Item as T | undefined;

  const loadBatch = async (group: string, index: number | undefined): Promise<Batch | undefined> => {
    if (index === undefined) return undefined;
    const item = await read<{ members: string; closedBy: string }>(batchKey(group, index));
    return item && toBatch(group, index, JSON.parse(item.members) as Member[], item.closedBy);
  };
  const linkOf = async (group: string, memberId: string) => (await read<{ index: number }>(linkKey(group, memberId)))?.index;
  const replay = async (group: string, memberId: string, index: number) => {
    const batch = await loadBatch(group, index);
    return batch?.closedBy === memberId ? batch : undefined;
  };

  /** One try: the decision written, or `lost` when another writer changed what it was made from. */
  async function tryAdd(group: string, member: Member, size: number): Promise<{ lost: true } | { lost: false; batch: Batch | undefined }> {
    // Both at once: the window is only used when the link is missing, and the transaction's
    // conditions catch any change between the two reads.
    const [joined, open] = await Promise.all([linkOf(group, member.id), read<WindowItem>(windowKey(group))]);
    if (joined !== undefined) return { lost: false, batch: await replay(group, member.id, joined) };
    const closed = open?.closed ?? 0;
    const index = closed + 1;
    const step = windowStep(open ? (JSON.parse(open.members) as Member[]) : [], JSON.parse(JSON.stringify(member)) as Member, size);
    const windowCondition = open
      ? { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': open.version } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    const version = (open?.version ?? 0) + 1;
    const link = { Put: { TableName: table, Item: { ...linkKey(group, member.id), index }, ConditionExpression: 'attribute_not_exists(pk)' } };
    const batch = step.closes ? toBatch(group, index, step.batch, member.id) : undefined;
    const items = step.closes
      ? [
          { Put: { TableName: table, Item: { ...windowKey(group), closed: index, members: '[]', version }, ...windowCondition } },
          { Put: { TableName: table, Item: { ...batchKey(group, index), members: JSON.stringify(step.batch), closedBy: member.id }, ConditionExpression: 'attribute_not_exists(pk)' } },
          link,
        ]
      : [{ Put: { TableName: table, Item: { ...windowKey(group), closed, members: JSON.stringify(step.members), version }, ...windowCondition } }, link];
    try {
      await db.send(new TransactWriteCommand({ ClientRequestToken: randomUUID(), TransactItems: items }));
    } catch (error) {
      if (lostRace(error)) return { lost: true };
      throw refusedForGood(error, `the window of group ${group} with member ${member.id} (its members' values must be small: locations, not data)`) ?? error;
    }
    // As stored: what the caller gets back is no object of its own.
    return { lost: false, batch: batch && (JSON.parse(JSON.stringify(batch)) as Batch) };
  }

  async function tryAddPart(name: string, expected: string[], part: Part): Promise<{ lost: true } | { lost: false; complete: CompleteSet | undefined }> {
    const item = await read<SetItem>(setKey(name));
    const parts = item ? (JSON.parse(item.parts) as Record<string, unknown>) : {};
    const kept = keptExpected(name, item?.expected, expected, Object.keys(parts));
    if (Object.hasOwn(parts, part.name)) {
      return { lost: false, complete: item?.completedBy === part.name ? completeSet(name, kept, parts, part.name) : undefined };
    }
    const next = { ...parts, [part.name]: JSON.parse(JSON.stringify(part.value ?? null)) as unknown };
    const complete = completeSet(name, kept, next, part.name);
    try {
      await db.send(
        new PutCommand({
          TableName: table,
          Item: { ...setKey(name), expected: kept, parts: JSON.stringify(next), ...(complete ? { completedBy: part.name } : {}), version: (item?.version ?? 0) + 1 },
          ...(item ? { ConditionExpression: 'version = :read', ExpressionAttributeValues: { ':read': item.version } } : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return { lost: true };
      throw refusedForGood(error, `known set ${name} with part ${part.name} (its parts' values must be small)`) ?? error;
    }
    return { lost: false, complete };
  }

  async function untilDecided<T>(what: string, attempt: () => Promise<{ lost: true } | ({ lost: false } & T)>): Promise<T> {
    for (let tries = 1; tries <= MAX_RACE_ATTEMPTS; tries++) {
      const outcome = await attempt();
      if (!outcome.lost) return outcome;
      await raceBackoff(tries);
    }
    throw new RetryableError(`${what}: lost the race to other writers ${MAX_RACE_ATTEMPTS} times in a row; try again later`);
  }

  return {
    async addToWindow(group, member, size) {
      checkWindowSize(size);
      return (await inTurn.run(`window#${group}`, () => untilDecided(`addToWindow ${group}`, () => tryAdd(group, member, size)))).batch;
    },
    async windowOf(group, memberId) {
      return loadBatch(group, await linkOf(group, memberId));
    },
    async openWindow(group) {
      const open = await read<WindowItem>(windowKey(group));
      return { group, index: (open?.closed ?? 0) + 1, members: open ? (JSON.parse(open.members) as Member[]) : [] };
    },
    async addPart(name, expected, part) {
      checkKnownSet(name, expected, part);
      return (await inTurn.run(`set#${name}`, () => untilDecided(`addPart ${name}`, () => tryAddPart(name, expected, part)))).complete;
    },
  };
}
