import { InvalidMessageError } from './errors.js';
import type { Message, MessageDefinition } from './message.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import { newId } from './ids.js';

/** The type a dead letter is kept under when its text never parsed as JSON. */
export const UNPARSED_TYPE = '(unparsed)';
/** The type a dead letter is kept under when it parsed but named no type. */
export const INVALID_TYPE = '(invalid)';

/** Parses JSON text into a message-shaped object, naming what is wrong when it is not one. */
export function parseJson(text: string, where = 'message'): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidMessageError(`${where} is not valid JSON: ${(error as Error).message}`, [
      `(json): ${(error as Error).message}`,
    ]);
  }
}

/**
 * Checks the envelope of anything that claims to be a message, and fills in what a sender may leave
 * out: `id` and `dateCreated`.
 */
export function normalizeEnvelope(raw: unknown, now: number): Message {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidMessageError(`a message must be a JSON object, got ${describeValue(raw)}`, [
      `(root): expected object, got ${describeValue(raw)}`,
    ]);
  }
  const record = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.type !== 'string' || record.type === '') {
    problems.push(`type: expected a non-empty string, got ${describeValue(record.type)}`);
  }
  if (record.id !== undefined && (typeof record.id !== 'string' || record.id === '')) {
    problems.push(`id: expected a non-empty string, got ${describeValue(record.id)}`);
  }
  if (record.dateCreated !== undefined && !(typeof record.dateCreated === 'number' && Number.isFinite(record.dateCreated))) {
    problems.push(`dateCreated: expected a number, got ${describeValue(record.dateCreated)}`);
  }
  if (problems.length > 0) {
    throw new InvalidMessageError(`invalid message ${label(record)}: ${problems.join('; ')}`, problems);
  }
  return {
    ...record,
    type: record.type as string,
    id: (record.id as string | undefined) ?? newId(),
    dateCreated: (record.dateCreated as number | undefined) ?? now,
  };
}

/** Validates a message's payload against its type's schema; returns the message with parsed fields. */
export async function validatePayload<D extends MessageDefinition>(definition: D, message: Message): Promise<Message> {
  const { type, id, dateCreated, ...payload } = message;
  const result = await definition.schema['~standard'].validate(payload);
  if (result.issues) {
    const problems = result.issues.map(formatIssue);
    throw new InvalidMessageError(`invalid ${type} message ${id}: ${problems.join('; ')}`, problems);
  }
  return { ...(result.value as object), type, id, dateCreated };
}

function formatIssue(issue: StandardSchemaV1.Issue): string {
  const path = (issue.path ?? [])
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
  return `${path || '(root)'}: ${issue.message}`;
}

function label(record: Record<string, unknown>): string {
  const type = typeof record.type === 'string' ? record.type : '(no type)';
  return typeof record.id === 'string' ? `${type} ${record.id}` : type;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${typeof value === 'object' ? '' : String(value)}`.trim();
}
