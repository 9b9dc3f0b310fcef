/**
 * The config file: `DATAFLOW_CONFIG`, else `./dataflow.config.json` when it exists. One JSON
 * object; its `flow` key names the flow module, and the rest is the flow's to read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface ConfigFile {
  /** The path as given, for messages; undefined when there is no file. */
  file?: string;
  /** The `flow` key: a module path or package name. */
  flow?: string;
  /** Everything else in the file. */
  values: Record<string, unknown>;
}

/** `path` is the `DATAFLOW_CONFIG` setting; unset, the default file is read when it exists. */
export function readConfigFile(path: string | undefined): ConfigFile {
  const file = path || (existsSync('dataflow.config.json') ? 'dataflow.config.json' : undefined);
  if (!file) return { values: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new Error(`cannot read the config file ${file}: ${why}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`the config file ${file} must hold one JSON object`);
  const { flow, ...values } = parsed as Record<string, unknown>;
  if (flow !== undefined && (typeof flow !== 'string' || flow.trim() === '')) throw new Error(`the config file ${file}: "flow" must name a module, e.g. "./my-flow.mjs"`);
  return { file, flow: flow as string | undefined, values };
}
