/**
 * Where the handlers' EMF lines go. In Lambda, standard output: CloudWatch Logs reads it and
 * extracts the metrics. Hosted locally (`dataflow run --runtime aws`), nowhere unless asked: the
 * command's standard output is its progress and its standard error the logs, and a line of EMF per
 * metric per invocation would bury both. Asked with DATAFLOW_EMF: `stdout`, `off`, or a file the
 * lines are appended to (to read them, or to ship them to CloudWatch with an agent).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type EmfDestination = { to: 'stdout' } | { to: 'file'; path: string };

/**
 * The destination a DATAFLOW_EMF value names; unset or empty: standard output inside Lambda
 * (`inLambda`, from AWS_LAMBDA_FUNCTION_NAME), none elsewhere.
 */
export function emfDestination(value: string | undefined, options: { inLambda: boolean; cwd?: string }): EmfDestination | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return options.inLambda ? { to: 'stdout' } : undefined;
  if (text === 'off') return undefined;
  if (text === 'stdout') return { to: 'stdout' };
  return { to: 'file', path: resolve(options.cwd ?? process.cwd(), text) };
}

/** Writes one line to the destination (a file is appended to synchronously, so no line is lost when the process ends). */
export function emfWriter(destination: EmfDestination): (line: string) => void {
  if (destination.to === 'stdout') return (line) => process.stdout.write(`${line}\n`);
  mkdirSync(dirname(destination.path), { recursive: true });
  return (line) => appendFileSync(destination.path, `${line}\n`, { mode: 0o600 });
}
