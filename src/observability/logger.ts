/**
 * Structured JSON logs with pino. Every line about a message carries its id, its type and the id
 * of the message that caused it (the processor adds them). Known secrets are scrubbed from every
 * line, whatever field they hide in.
 */
import pino from 'pino';
import type { Logger } from '../core/logger.js';
import { scrubber, secretsFromEnvironment } from './secrets.js';

export interface LoggerOptions {
  /** @defaultValue 'info' */
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Where lines go: a file descriptor (2 = stderr) or a writable stream. @defaultValue 2 */
  destination?: number | NodeJS.WritableStream;
  /** Values to scrub besides those found in the environment. */
  secrets?: string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = scrubber([...secretsFromEnvironment(), ...(options.secrets ?? [])]);
  const destination = typeof options.destination === 'object' ? options.destination : pino.destination({ dest: options.destination ?? 2, sync: true });
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => scrub(arg)) as Parameters<typeof method>);
        },
      },
    },
    destination as pino.DestinationStream,
  );
}
