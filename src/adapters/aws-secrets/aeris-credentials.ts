/**
 * The Aeris map server's credentials on AWS, kept as one JSON value `{"clientId", "clientSecret"}`
 * in an SSM SecureString parameter or a Secrets Manager secret, never in a function's plain
 * environment. Reading goes through Powertools Parameters, whose cache holds the value for the
 * life of the process: a Lambda reads it once per cold start. Nothing here logs the value, and
 * every error names the parameter, never what it holds.
 */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { describeSource, type SecretSource } from './secret-source.js';

export interface AerisCredentials {
  clientId: string;
  clientSecret: string;
}

export interface SecretClients {
  /** @defaultValue a client of the SDK's defaults (AWS_ENDPOINT_URL, AWS_REGION) */
  ssm?: SSMClient;
  secretsManager?: SecretsManagerClient;
}

export interface AerisCredentialsReader {
  /** The credentials, fetched on the first call and cached for the life of the process. */
  read(): Promise<AerisCredentials>;
}

/** Powertools caches for `maxAge` seconds: ten years is "until the process ends". */
const FOR_THE_PROCESS = 10 * 365 * 24 * 3600;

/** Create it at module scope in a handler, so a warm function reads nothing again. */
export function aerisCredentialsReader(source: SecretSource, clients: SecretClients = {}): AerisCredentialsReader {
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
        throw new Error(`could not read the Aeris credentials from ${where}: ${reasonOf(error)}`, { cause: error });
      }
      if (value === undefined) throw new Error(`could not read the Aeris credentials: ${where} does not exist`);
      return parseCredentials(value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value), where);
    },
  };
}

/** Stores the credentials (`dataflow aws setup` does), replacing what was there; returns where. */
export async function storeAerisCredentials(source: SecretSource, credentials: AerisCredentials, clients: SecretClients = {}): Promise<string> {
  const where = describeSource(source);
  const value = JSON.stringify(parseCredentials(JSON.stringify(credentials), 'the credentials to store'));
  try {
    if (source.store === 'ssm') {
      const provider = new SSMProvider(clients.ssm ? { awsSdkV3Client: clients.ssm } : {});
      await provider.set(source.name, { value, parameterType: 'SecureString', overwrite: true, description: 'Aeris map server credentials of dataflow' });
    } else {
      const client = clients.secretsManager ?? new SecretsManagerClient({});
      try {
        await client.send(new CreateSecretCommand({ Name: source.name, SecretString: value, Description: 'Aeris map server credentials of dataflow' }));
      } catch (error) {
        if ((error as Error).name !== 'ResourceExistsException') throw error;
        await client.send(new PutSecretValueCommand({ SecretId: source.name, SecretString: value }));
      }
    }
  } catch (error) {
    throw new Error(`could not store the Aeris credentials in ${where}: ${reasonOf(error)}`, { cause: error });
  }
  return where;
}

/** Checks the stored JSON; what is wrong is named by field, and the text itself never repeated. */
function parseCredentials(text: string, where: string): AerisCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text: it must not reach a log.
    throw new Error(`${where} does not hold JSON; it must be {"clientId": "...", "clientSecret": "..."}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${where} must hold a JSON object {"clientId": "...", "clientSecret": "..."}`);
  const record = parsed as Record<string, unknown>;
  const missing = ['clientId', 'clientSecret'].filter((field) => typeof record[field] !== 'string' || (record[field] as string).trim() === '');
  if (missing.length > 0) throw new Error(`${where}: ${missing.join(' and ')} must be ${missing.length > 1 ? 'non-empty strings' : 'a non-empty string'}`);
  return { clientId: record.clientId as string, clientSecret: record.clientSecret as string };
}

/** The SDK's error name and message: they name the parameter, never its value. */
function reasonOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause instanceof Error ? ((error as { cause: Error }).cause) : (error as Error);
  return cause instanceof Error ? `${cause.name}${cause.message ? `: ${cause.message}` : ''}` : String(error);
}
