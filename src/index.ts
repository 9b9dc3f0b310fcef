/** dataflow: the Data Flow pattern for TypeScript. The public API. */
export * from './core/message.js';
export * from './core/errors.js';
export * from './core/worker.js';
export * from './core/mediator.js';
export * from './core/flow.js';
export * from './core/events.js';
export * from './core/logger.js';
export * from './core/runtime.js';
export * from './core/keys.js';
export { derivedId, newId, shortHash } from './core/ids.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export * from './ports/state-store.js';
export * from './ports/blob-store.js';
export * from './ports/transport.js';
export * from './ports/mailer.js';
export * from './ports/clock.js';
export { openEmbeddedRuntime, embeddedPaths, type EmbeddedOptions, type EmbeddedPaths } from './runtimes/embedded.js';
export * from './core/invoke.js';
