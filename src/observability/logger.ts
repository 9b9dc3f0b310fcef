/**
 * Structured JSON logs with pino. Every line about a message carries its id, its type and the id
 * of the message that caused it (the processor adds them). Known secrets are scrubbed from each
 * finished line on its way out, so no field, key, child binding or nesting depth can carry one.
 */
import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { secretScrubber } from '../core/redact.js';
import { secretsFromEnvironment } from './secrets.js';

export interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Where lines go: a file descriptor (2 = stderr) or a writable stream. @defaultValue 2 */
  destination?: number | NodeJS.WritableStream;
  /** Values to scrub besides those found in the environment. */
  secrets?: string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = secretScrubber([...secretsFromEnvironment(), ...(options.secrets ?? [])]);
  const sink: { write(line: string): unknown } =
    typeof options.destination === 'object' ? options.destination : pino.destination({ dest: options.destination ?? 2, sync: true });
  return pino(
    { level: options.level ?? 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => sink.write(scrub(line)) },
  );
}
