/**
 * Structured JSON logs with pino. Every line about a message carries its id, its type and the id
 * of the message that caused it (the processor adds them). The secrets it is given are scrubbed
 * from each finished line on its way out, so no field, key, child binding or nesting depth can
 * carry one. It reads no environment: the host passes what it knows (see secrets.ts).
 */
import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { secretScrubber } from '../core/redact.js';

export interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Where lines go: a file descriptor (2 = stderr) or a writable stream. @defaultValue 2 */
  destination?: number | NodeJS.WritableStream;
  /** Values to scrub from every line. */
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = secretScrubber(options.secrets ?? []);
  const sink: { write(line: string): unknown } =
    typeof options.destination === 'object' ? options.destination : pino.destination({ dest: options.destination ?? 2, sync: true });
  return pino(
    { level: options.level ?? 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => sink.write(scrub(line)) },
  );
}
