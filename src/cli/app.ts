/**
 * Builds what the CLI runs: the weather flow on the embedded runtime, with real Aeris maps when
 * credentials are set, and the built-in offline map server otherwise.
 */
import { openEmbeddedRuntime, type Runtime, type EmbeddedPaths } from '../index.js';
import { loadWeatherConfig, type WeatherConfig } from '../flows/weather/config.js';
import { env } from '../flows/weather/env.js';
import { weatherFlow } from '../flows/weather/flow.js';
import { startAmpServer } from '../flows/weather/offline-maps/amp-server.js';

export interface App {
  runtime: Runtime & { paths: EmbeddedPaths };
  config: WeatherConfig;
  /** Where maps come from, for people: never the credentials. */
  mapSource: string;
  close(): Promise<void>;
}

export async function openApp(options: { dir?: string } = {}): Promise<App> {
  const config = loadWeatherConfig();
  const clientId = process.env[env.aerisClientId];
  const clientSecret = process.env[env.aerisClientSecret];
  let offline: Awaited<ReturnType<typeof startAmpServer>> | undefined;
  let amp: { baseUrl: string; clientId: string; clientSecret: string };
  if (clientId && clientSecret) {
    amp = { baseUrl: process.env[env.aerisMapsUrl] || 'https://maps.aerisapi.com', clientId, clientSecret };
  } else if (clientId || clientSecret) {
    throw new Error(`set both ${env.aerisClientId} and ${env.aerisClientSecret} to use Aeris Maps, or neither to use the offline map server`);
  } else {
    offline = await startAmpServer({ clientId: 'offline', clientSecret: 'offline' });
    amp = { baseUrl: offline.url, clientId: 'offline', clientSecret: 'offline' };
  }
  const runtime = openEmbeddedRuntime(({ mailer }) => weatherFlow({ config, mailer, amp }), { dir: options.dir });
  return {
    runtime,
    config,
    mapSource: offline ? `offline map server at ${offline.url}` : `Aeris Maps at ${new URL(amp.baseUrl).origin}`,
    async close() {
      await runtime.stop();
      await offline?.close();
    },
  };
}
