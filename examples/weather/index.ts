/**
 * The weather flow as a flow module, the way `dataflow` loads any flow (`--flow`): its default
 * export receives the runtime's ports and returns the flow with what it opened. It builds the
 * config from the settings, and fetches maps from Aeris when credentials are set, else from the
 * offline map server it starts here and closes when the runtime stops. It checks the settings it
 * reads, naming each, and declares the Aeris credentials as secrets, for the host to scrub. Its GIF
 * gallery is a view it gives the dashboard.
 */
import { checkUrlSetting, type FlowPorts, type ProvidedFlow } from 'dataflow';
import { loadWeatherConfig } from './config.js';
import { env } from './env.js';
import { weatherFlow } from './flow.js';
import { weatherGallery } from './gallery.js';
import { startAmpServer } from './offline-maps/amp-server.js';
import { weatherRunReport } from './run-summary.js';

export default async function weatherFlowModule({ mailer, settings }: FlowPorts): Promise<ProvidedFlow> {
  const config = loadWeatherConfig({ values: settings.config, file: settings.configFile, environment: settings.env });
  const maxBodyBytes = positive(settings.env, env.maxMapBytes);
  const gif = { maxPixels: positive(settings.env, env.gifMaxPixels) };
  const maps = await openMapSource(settings.env);
  try {
    return {
      flow: weatherFlow({ config, mailer, amp: { ...maps.amp, maxBodyBytes }, gif }),
      about: `weather GIFs; maps from ${maps.description}`,
      close: maps.close,
      report: weatherRunReport,
      views: [weatherGallery()],
      secrets: maps.secrets,
    };
  } catch (error) {
    await maps.close();
    throw error;
  }
}

type Environment = FlowPorts['settings']['env'];

/** Aeris Maps with both credentials; the offline map server with neither. */
async function openMapSource(environment: Environment) {
  const clientId = environment[env.aerisClientId];
  const clientSecret = environment[env.aerisClientSecret];
  const mapsUrl = environment[env.aerisMapsUrl] || undefined;
  if (mapsUrl !== undefined) {
    checkUrlSetting(env.aerisMapsUrl, mapsUrl, {
      schemes: ['http', 'https'],
      example: 'https://maps.aerisapi.com',
      noCredentials: `the map server takes ${env.aerisClientId} and ${env.aerisClientSecret}`,
      noQuery: "the map's path is added to it",
    });
  }
  if (clientId && clientSecret) {
    const baseUrl = mapsUrl ?? 'https://maps.aerisapi.com';
    return { amp: { baseUrl, clientId, clientSecret }, description: `Aeris Maps at ${new URL(baseUrl).origin}`, close: async () => {}, secrets: [clientId, clientSecret] };
  }
  if (clientId || clientSecret) {
    throw new Error(`set both ${env.aerisClientId} and ${env.aerisClientSecret} to use Aeris Maps, or neither to use the offline map server`);
  }
  const server = await startAmpServer({ clientId: 'offline', clientSecret: 'offline' });
  return {
    amp: { baseUrl: server.url, clientId: 'offline', clientSecret: 'offline' },
    description: `the offline map server at ${server.url}`,
    close: () => server.close(),
    secrets: [] as string[],
  };
}

function positive(environment: Environment, name: string): number | undefined {
  const text = environment[name];
  if (!text) return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${name} must be a positive number, got ${JSON.stringify(text)}`);
  return value;
}
