/** The weather flow on the embedded runtime's parts, in a fresh folder, for tests. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskBlobStore } from '../../src/adapters/disk/blob-store.js';
import { inProcessTransport } from '../../src/adapters/in-process/transport.js';
import { openSqliteStateStore } from '../../src/adapters/sqlite/state-store.js';
import { createRuntime, type FlowEvent, type Mailer, type StateStore } from '../../src/index.js';
import { defaultWeatherConfig, type WeatherConfig } from '../../examples/weather/config.js';
import { weatherFlow, type WeatherFlowOptions } from '../../examples/weather/flow.js';

export async function weatherRuntime(options: {
  mailer: Mailer;
  amp?: { baseUrl: string; clientId: string; clientSecret: string };
  config?: Partial<WeatherConfig>;
  concurrency?: Record<string, number>;
  gif?: WeatherFlowOptions['gif'];
  /** Wraps the state store the flow sees, to act at a chosen moment of its handling. */
  wrapState?: (state: StateStore) => StateStore;
}) {
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-weather-'));
  const config = { ...defaultWeatherConfig, email: { ...defaultWeatherConfig.email, to: ['forecast@example.com'] }, ...options.config };
  const state = openSqliteStateStore(join(dir, 'state.db'));
  const runtime = createRuntime({
    flow: weatherFlow({ config, mailer: options.mailer, amp: options.amp ?? { baseUrl: 'http://127.0.0.1:1', clientId: 'none', clientSecret: 'none' }, gif: options.gif }),
    state: options.wrapState ? options.wrapState(state) : state,
    blobs: diskBlobStore(join(dir, 'blobs')),
    transport: inProcessTransport(),
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    concurrency: options.concurrency,
  });
  const events: FlowEvent[] = [];
  runtime.on((e) => events.push(e));
  await runtime.start();
  /** `state` is the runtime's store with its message browser, as the dashboard reads it. */
  return { runtime, events, dir, config, state };
}
