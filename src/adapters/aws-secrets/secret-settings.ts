/**
 * A flow's secret settings on AWS: those its consumers declare (`defineFlow({ access })`), kept
 * together as one JSON object of setting name to value, `{"AERIS_CLIENT_ID": "…", …}`, in an SSM
 * SecureString parameter or a Secrets Manager secret, never in a function's plain environment.
 * Reading goes through Powertools Parameters, whose cache holds the value for the life of the
 * process: a Lambda reads it once per cold start. Nothing here logs a value, and every error names
 * the parameter and the settings, never what they hold, nor a key that is no setting's name.
 */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { describeSource, type SecretSource } from './secret-source.js';

/** Setting name to value. */
export type SecretSettings = Readonly<Record<string, string>>;

export interface SecretClients {
  /** @defaultValue a client of the SDK's defaults (AWS_ENDPOINT_URL, AWS_REGION) */
  ssm?: SSMClient;
  secretsManager?: SecretsManagerClient;
}

export interface SecretSettingsReader {
  /** The settings, fetched on the first call and cached for the life of the process. */
  read(): Promise<SecretSettings>;
}

/** The parameter or secret does not exist, as against one that could not be read or holds the wrong shape. */
export class SecretNotFoundError extends Error {
  override name = 'SecretNotFoundError';
}

/** The SDK's names for a parameter or secret that is not there. */
const NOT_FOUND = new Set(['ParameterNotFound', 'ResourceNotFoundException']);

/** Powertools caches for `maxAge` seconds: ten years is "until the process ends". */
const FOR_THE_PROCESS = 10 * 365 * 24 * 3600;
/** As a flow declares them (core/flow-access.ts). */
const SETTING = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DESCRIPTION = "a dataflow flow's secret settings, as {\"NAME\": \"value\"}";

/** Create it at module scope in a handler, so a warm function reads nothing again. */
export function secretSettingsReader(source: SecretSource, clients: SecretClients = {}): SecretSettingsReader {
  const where = describeSource(source);
  const fetchValue =
    source.store === 'ssm'
      ? (() => {
          const provider = new SSMProvider(clients.ssm ? { awsSdkV3Client: clients.ssm } : {});
          return () => provider.get(source.name, { decrypt: true, maxAge: FOR_THE_PROCESS });
        })()
      : (() => {
          const provider = new SecretsProvider(clients.secretsManager ? { awsSdkV3Client: clients.secretsManager } : {});
          return () => provider.get(source.name, { maxAge: FOR_THE_PROCESS });
        })();
  return {
    async read() {
      let value: unknown;
      try {
        value = await fetchValue();
      } catch (error) {
        const Failure = NOT_FOUND.has(sdkErrorOf(error).name) ? SecretNotFoundError : Error;
        throw new Failure(`could not read the flow's secret settings from ${where}: ${reasonOf(error)}`, { cause: error });
      }
      if (value === undefined) throw new SecretNotFoundError(`could not read the flow's secret settings: ${where} does not exist`);
      return parseSettings(value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value), where);
    },
  };
}

/** Stores the settings (`dataflow aws setup` and `deploy aws` do), replacing what was there; returns where. */
export async function storeSecretSettings(source: SecretSource, settings: SecretSettings, clients: SecretClients = {}): Promise<string> {
  const where = describeSource(source);
  const value = JSON.stringify(parseSettings(JSON.stringify(settings), 'the secret settings to store'));
  try {
    if (source.store === 'ssm') {
      const provider = new SSMProvider(clients.ssm ? { awsSdkV3Client: clients.ssm } : {});
      await provider.set(source.name, { value, parameterType: 'SecureString', overwrite: true, description: DESCRIPTION });
    } else {
      const client = clients.secretsManager ?? new SecretsManagerClient({});
      try {
        await client.send(new CreateSecretCommand({ Name: source.name, SecretString: value, Description: DESCRIPTION }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceExistsException') throw error;
        await client.send(new PutSecretValueCommand({ SecretId: source.name, SecretString: value }));
      }
    }
  } catch (error) {
    throw new Error(`could not store the flow's secret settings in ${where}: ${reasonOf(error)}`, { cause: error });
  }
  return where;
}

/** Checks the stored JSON; what is wrong is named by setting, and no value is ever repeated. */
function parseSettings(text: string, where: string): SecretSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text: it must not reach a log.
    throw new Error(`${where} does not hold JSON; it must be an object of setting names and their values, {"NAME": "value"}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${where} must hold a JSON object of setting names and their values, {"NAME": "value"}`);
  const entries = Object.entries(parsed as Record<string, unknown>);
  // Not quoted: a value typed where its name goes would be repeated.
  const badNames = entries.filter(([name]) => !SETTING.test(name)).length;
  if (badNames > 0) throw new Error(`${where}: ${badNames === 1 ? 'a key is not a setting name' : `${badNames} keys are not setting names`} (letters, digits and _, not starting with a digit)`);
  const empty = entries.filter(([, value]) => typeof value !== 'string' || value.trim() === '').map(([name]) => name);
  if (empty.length > 0) throw new Error(`${where}: ${empty.join(' and ')} must be ${empty.length > 1 ? 'non-empty strings' : 'a non-empty string'}`);
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The SDK's own error, which Powertools wraps. */
function sdkErrorOf(error: unknown): Error {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? cause : error instanceof Error ? error : new Error(String(error));
}

/** The SDK's error name and message: they name the parameter, never its value. */
function reasonOf(error: unknown): string {
  const sdk = sdkErrorOf(error);
  return `${sdk.name}${sdk.message ? `: ${sdk.message}` : ''}`;
}
