/**
 * The host's URL settings, checked when the settings are read (see settings.ts), so a wrong one
 * fails at once with its name and what is wrong with it. A flow checks the URLs it reads itself,
 * in its factory, with the same `checkUrlSetting`.
 */
import { parseBlobsUrl } from '../adapters/s3/blobs-url.js';
import { checkUrlSetting, SettingError, shownSetting as shown } from '../core/url-setting.js';
import { runtimeEnv } from '../runtimes/env.js';

export function checkDatabaseUrl(value: string | undefined): void {
  if (value === undefined) return;
  const name = runtimeEnv.databaseUrl;
  const url = checkUrlSetting(name, value, {
    schemes: ['postgres', 'postgresql'],
    example: 'postgres://user:password@host:5432/database',
    schemeReason: 'the cluster runtime keeps its state in PostgreSQL',
  });
  checkEncoded(name, url, value);
}

export function checkSmtpUrl(value: string | undefined): void {
  if (value === undefined) return;
  const name = runtimeEnv.smtpUrl;
  const url = checkUrlSetting(name, value, { schemes: ['smtp', 'smtps'], example: 'smtp://user:password@mail.example.com:587' });
  if (!url.hostname) throw new SettingError(`${name} names no mail server (got ${shown(value)}): expected smtp://user:password@mail.example.com:587`);
  checkEncoded(name, url, value);
}

export function checkBlobsUrl(value: string | undefined): void {
  if (value === undefined) return;
  const name = runtimeEnv.blobs;
  if (!/^[a-z0-9]+:\/\//i.test(value)) throw new SettingError(`${name} must be file:///folder or s3://bucket/prefix (got ${shown(value)})`);
  try {
    parseBlobsUrl(value);
  } catch (error) {
    throw new SettingError(`${name}: ${(error as Error).message}`);
  }
}

/** A raw `/`, `?` or `#` in a password ends the host early: the driver would connect elsewhere. */
function checkEncoded(name: string, url: URL, value: string): void {
  if (url.hash || `${url.pathname}${url.search}`.includes('@')) {
    throw new SettingError(`${name} cannot be read as intended (got ${shown(value)}): percent-encode @, /, ? and # in a user name or password (# as %23)`);
  }
}
