/**
 * dataflow: the Data Flow pattern for TypeScript. The core: messages, workers, the mediator,
 * flows, errors and the ports. It loads no database driver, queue, mailer, image library or SDK:
 * the runtimes are `dataflow/embedded` and `dataflow/cluster`.
 */
export * from './core/message.js';
export * from './core/errors.js';
export * from './core/worker.js';
export * from './core/mediator.js';
export * from './core/flow.js';
export * from './core/flow-access.js';
export * from './core/flow-module.js';
export * from './core/events.js';
export * from './core/logger.js';
export * from './core/runtime.js';
export * from './core/processor.js';
export * from './core/retry-policy.js';
export * from './core/settle-wait.js';
export * from './core/keys.js';
export * from './core/location.js';
export * from './core/html.js';
export * from './core/redact.js';
export * from './core/url-setting.js';
export { derivedId, newId, shortHash } from './core/ids.js';
export type { StandardSchemaV1 } from './core/standard-schema.js';
export * from './ports/state-store.js';
export * from './ports/blob-store.js';
export * from './ports/transport.js';
export * from './ports/mailer.js';
export * from './ports/clock.js';
export * from './core/invoke.js';
export * from './ports/message-browser.js';
export * from './core/causal-chain.js';
