/**
 * Finds and imports the flow module a command runs: `--flow`, else `DATAFLOW_FLOW`, else the
 * config file's `flow`, else the built-in weather flow. Each is loaded by the same contract
 * (see core/flow-module.ts): its default export, or its export named `flow`, is a flow or a
 * function that makes one. Paths are relative to the current folder.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FlowSource } from '../core/flow-module.js';
import { runtimeEnv } from '../runtimes/env.js';
import type { ConfigFile } from './config-file.js';

export interface FlowChoice {
  /** The module's URL. */
  url: URL;
  /** How a person named it, with where from: `./flow.mjs (--flow)`. */
  name: string;
  builtIn: boolean;
}

/**
 * The built-in flow: the weather GIFs, an example of the package (`dataflow/examples/weather`),
 * loaded like any other module. Resolved when chosen, not when this module loads: a deployment's
 * bundle, which brings its flow along, has no package to resolve it in.
 */
const weatherModule = () => new URL(import.meta.resolve('dataflow/examples/weather'));

/** `setting` is `DATAFLOW_FLOW`'s value. */
export function chooseFlow(flag: string | undefined, setting: string | undefined, config: ConfigFile, cwd = process.cwd()): FlowChoice {
  const given: [string | undefined, string][] = [
    [flag, '--flow'],
    [setting, runtimeEnv.flow],
    [config.flow, `"flow" in ${config.file}`],
  ];
  for (const [value, from] of given) {
    if (value === undefined || value.trim() === '') continue;
    const url = value.startsWith('file:') ? new URL(value) : pathToFileURL(resolve(cwd, value));
    return { url, name: `the flow module ${value} (${from})`, builtIn: false };
  }
  return { url: weatherModule(), name: 'the weather flow', builtIn: true };
}

/** Throws, naming the module and the path, when the chosen module is no file. */
export function checkFlowExists(choice: FlowChoice): void {
  if (!choice.builtIn && !existsSync(fileURLToPath(choice.url))) throw new Error(`${choice.name}: no such file ${fileURLToPath(choice.url)}`);
}

/** Imports the module and takes its flow export; errors name the module and what is wrong. */
export async function importFlow(choice: FlowChoice): Promise<FlowSource> {
  checkFlowExists(choice);
  let exports: Record<string, unknown>;
  try {
    exports = (await import(choice.url.href)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(choice.url.pathname)) {
      throw new Error(`${choice.name} is TypeScript, which node does not run by itself: run dataflow with a loader, e.g. NODE_OPTIONS='--import tsx' npx dataflow …, or compile it to .js`);
    }
    throw new Error(`cannot load ${choice.name}: ${(error as Error).message}`, { cause: error });
  }
  const source = exports.default ?? exports.flow;
  if (source === undefined) {
    const names = Object.keys(exports);
    throw new Error(`${choice.name} has no default export and no export named flow${names.length ? ` (it exports ${names.join(', ')})` : ''}`);
  }
  return source as FlowSource;
}
