/** dataflow's test kit: run a flow in memory, on a clock the test moves. */
export { createTestRuntime, type TestRuntime, type TestRuntimeOptions, type SendResult, type MessageFilter } from './test-runtime.js';
export { manualClock, type ManualClock } from './manual-clock.js';
export { timeSkippingTransport, type TimeSkippingTransport, type WaitingRetry } from './time-skipping-transport.js';
export type { FailWorkerOptions } from './failing-workers.js';
export type { FlowFactory, FlowPorts, FlowSource } from './flow-source.js';
export { memoryStateStore, type MemoryStateStore } from '../adapters/memory/state-store.js';
export { memoryBlobStore, type MemoryBlobStore, type MemoryBlobStoreOptions, type StoredBlob } from '../adapters/memory/blob-store.js';
export { capturingMailer, type CapturingMailer, type CapturedMail } from '../adapters/memory/mailer.js';
