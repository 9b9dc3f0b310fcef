import type { Message } from './message.js';

/** What happened to a message, for progress output, logs and metrics. */
export type FlowEvent =
  | { kind: 'received'; consumer: string; message: Message; attempt: number }
  | { kind: 'done'; consumer: string; message: Message; durationMs: number; sent: Message[] }
  | { kind: 'duplicate'; consumer: string; id: string; type: string }
  | { kind: 'retry'; consumer: string; message: Message; attempt: number; delayMs: number; reason: string }
  | { kind: 'dead'; consumer: string; id: string; type: string; reason: string }
  /** A worker stored a blob. */
  | { kind: 'stored'; consumer: string; key: string; bytes: number };

export type FlowEventListener = (event: FlowEvent) => void;
