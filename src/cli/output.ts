/**
 * What the CLI prints. On a terminal: progress a person can follow, on stderr. Piped: one JSON
 * object per line on stdout, for tools.
 */
import type { FlowEvent, Message } from '../index.js';

export interface Output {
  readonly human: boolean;
  event(event: FlowEvent): void;
  /** A line for people (stderr). */
  say(text: string): void;
  /** A record for tools (stdout, JSON lines) that people also see, formatted. */
  record(record: Record<string, unknown>, human?: string): void;
}

const colour = (code: number) => (text: string) => (process.stderr.isTTY && !process.env.NO_COLOR ? `\x1b[${code}m${text}\x1b[0m` : text);
const green = colour(32);
const yellow = colour(33);
const red = colour(31);
const dim = colour(2);

export function createOutput(options: { human?: boolean; verbose?: boolean } = {}): Output {
  const human = options.human ?? Boolean(process.stdout.isTTY);
  const say = (text: string) => process.stderr.write(`${text}\n`);
  const line = (record: unknown) => process.stdout.write(`${JSON.stringify(record)}\n`);
  return {
    human,
    say,
    record(record, text) {
      if (human) say(text ?? JSON.stringify(record));
      else line(record);
    },
    event(event) {
      if (!human) {
        const record = toRecord(event);
        if (record && (event.kind !== 'received' || options.verbose)) line(record);
        return;
      }
      switch (event.kind) {
        case 'done':
          say(`${green('✓')} ${event.consumer.padEnd(18)} ${describe(event.message)} ${dim(`${Math.round(event.durationMs)} ms`)}`);
          break;
        case 'retry':
          say(`${yellow('↻')} ${event.consumer.padEnd(18)} ${describe(event.message)}: ${event.reason} ${dim(`(try ${event.attempt}, again in ${event.delayMs} ms)`)}`);
          break;
        case 'dead':
          say(`${red('✗')} ${event.consumer.padEnd(18)} ${event.type} ${event.id}: ${event.reason}`);
          break;
        case 'duplicate':
          if (options.verbose) say(`${dim('=')} ${event.consumer.padEnd(18)} duplicate ${event.id} dropped`);
          break;
        case 'received':
        case 'stored':
          break;
      }
    },
  };
}

function describe(message: Message): string {
  const about = [message.imageId, message.validTime].filter((v) => v !== undefined).map(readable);
  return `${message.type}${about.length ? ` ${about.join(' ')}` : ''}`;
}

/** Epoch ms as a short UTC time; anything else, or a time out of range, as it is. */
function readable(value: unknown): string {
  if (typeof value === 'number' && value > 1e11 && value < 8.64e15) return `${new Date(value).toISOString().slice(0, 16)}Z`;
  return String(value);
}

function toRecord(event: FlowEvent): Record<string, unknown> | undefined {
  switch (event.kind) {
    case 'done':
      return { event: 'done', consumer: event.consumer, message: event.message, durationMs: Math.round(event.durationMs), sent: event.sent.map((m) => m.id) };
    case 'received':
      return { event: 'received', consumer: event.consumer, id: event.message.id, type: event.message.type, attempt: event.attempt };
    case 'retry':
      return { event: 'retry', consumer: event.consumer, id: event.message.id, type: event.message.type, attempt: event.attempt, delayMs: event.delayMs, reason: event.reason };
    case 'dead':
      return { event: 'dead', consumer: event.consumer, id: event.id, type: event.type, reason: event.reason };
    case 'duplicate':
      return { event: 'duplicate', consumer: event.consumer, id: event.id, type: event.type };
    case 'stored':
      return undefined;
  }
}
