/**
 * Checks every URL setting when a command starts, so a wrong one fails at once with its name and
 * what is wrong with it, not later as `Invalid URL` or `getaddrinfo ENOTFOUND base` from deep in
 * a driver. The errors show a value only with its credentials hidden.
 */
import { parseBlobsUrl } from '../adapters/s3/blobs-url.js';
import { hideCredentials as hide } from '../core/redact.js';
import { runtimeEnv } from '../runtimes/env.js';

/** The weather example's map settings, checked here until a flow checks its own. */
const env = { aerisMapsUrl: 'AERIS_MAPS_URL', aerisClientId: 'AERIS_CLIENT_ID', aerisClientSecret: 'AERIS_CLIENT_SECRET' } as const;

export class SettingError extends Error {
  override name = 'SettingError';
}

/** Throws a {@link SettingError} for the first URL setting that is set but cannot work. */
export function checkUrlSettings(environment: NodeJS.ProcessEnv = process.env): void {
  const value = (name: string) => environment[name] || undefined;
  checkDatabaseUrl(value(runtimeEnv.databaseUrl));
  checkSmtpUrl(value(runtimeEnv.smtpUrl));
  checkBlobsUrl(value(runtimeEnv.blobs));
  checkMapsUrl(value(env.aerisMapsUrl));
}

function checkDatabaseUrl(value: string | undefined): void {
  if (value === undefined) return;
  const name = runtimeEnv.databaseUrl;
  const url = parse(name, value, 'postgres://user:password@host:5432/database', 'postgres');
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new SettingError(`${name} must be a postgres:// or postgresql:// URL, not ${url.protocol}// (got ${shown(value)}): the cluster runtime keeps its state in PostgreSQL`);
  }
  checkEncoded(name, url, value);
}

function checkSmtpUrl(value: string | undefined): void {
  if (value === undefined) return;
  const name = runtimeEnv.smtpUrl;
  const url = parse(name, value, 'smtp://user:password@mail.example.com:587', 'smtp');
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new SettingError(`${name} must be an smtp:// or smtps:// URL, not ${url.protocol}// (got ${shown(value)})`);
  if (!url.hostname) throw new SettingError(`${name} names no mail server (got ${shown(value)}): expected smtp://user:password@mail.example.com:587`);
  checkEncoded(name, url, value);
}

/** A raw `/`, `?` or `#` in a password ends the host early: the driver would connect elsewhere. */
function checkEncoded(name: string, url: URL, value: string): void {
  if (url.hash || `${url.pathname}${url.search}`.includes('@')) {
    throw new SettingError(`${name} cannot be read as intended (got ${shown(value)}): percent-encode @, /, ? and # in a user name or password (# as %23)`);
  }
}

function checkBlobsUrl(value: string | undefined): void {
  if (value === undefined) return;
  const name = runtimeEnv.blobs;
  if (!/^[a-z0-9]+:\/\//i.test(value)) throw new SettingError(`${name} must be file:///folder or s3://bucket/prefix (got ${shown(value)})`);
  try {
    parseBlobsUrl(value);
  } catch (error) {
    throw new SettingError(`${name}: ${(error as Error).message}`);
  }
}

function checkMapsUrl(value: string | undefined): void {
  if (value === undefined) return;
  const name = env.aerisMapsUrl;
  const url = parse(name, value, 'https://maps.aerisapi.com', 'http');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingError(`${name} must be an http:// or https:// URL such as https://maps.aerisapi.com (got ${shown(value)}${schemeHint(value, 'http')})`);
  }
  if (url.username || url.password) {
    throw new SettingError(`${name} must not hold a user name or password (got ${shown(value)}): the map server takes ${env.aerisClientId} and ${env.aerisClientSecret}`);
  }
  if (url.search || url.hash) throw new SettingError(`${name} must have no query or fragment (got ${shown(value)}): the map's path is added to it`);
}

/** `host:port` parses as a URL of scheme `host:`, so a value without `://` counts as no URL. */
function parse(name: string, value: string, example: string, scheme: string): URL {
  let url: URL | undefined;
  try {
    if (value.includes('://')) url = new URL(value);
  } catch {
    // said below
  }
  if (!url) throw new SettingError(`${name} is not a valid URL (got ${shown(value)}${schemeHint(value, scheme)}): expected one like ${example}`);
  return url;
}

/** `127.0.0.1:7920` or `db.internal:5432/app` is a host without its scheme. */
function schemeHint(value: string, scheme: string): string {
  const hidden = hide(value);
  return !value.includes('://') && /^[a-z0-9*.@-]+(:\d+)?(\/\S*)?$/i.test(hidden) ? `; did you mean ${JSON.stringify(`${scheme}://${hidden}`)}?` : '';
}

/** The value, quoted, with its credentials hidden first and only then shortened. */
function shown(value: string): string {
  const hidden = hide(value);
  return JSON.stringify(hidden.length > 120 ? `${hidden.slice(0, 119)}…` : hidden);
}
