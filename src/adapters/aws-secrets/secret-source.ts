/**
 * Where a secret lives: an SSM SecureString parameter or a Secrets Manager secret, written
 * `ssm:/dataflow/secrets` or `secretsmanager:dataflow/secrets`.
 */
import { AWS_ENV, awsPrefix } from '../aws/prefix.js';

export type SecretSource = { store: 'ssm'; name: string } | { store: 'secretsmanager'; name: string };

/** How a source is shown in messages: its store and name, never its value. */
export function describeSource(source: SecretSource): string {
  return source.store === 'ssm' ? `SSM parameter ${source.name}` : `Secrets Manager secret ${source.name}`;
}

/** `ssm:<parameter name>` or `secretsmanager:<secret name or ARN>`; throws naming what is wrong. */
export function parseSecretSource(text: string, setting = 'the secret source'): SecretSource {
  const match = /^(ssm|secretsmanager):(.+)$/.exec(text.trim());
  if (!match) throw new Error(`${setting} must be ssm:<parameter name> or secretsmanager:<secret name> (got ${JSON.stringify(text)})`);
  const [, store, name] = match as unknown as [string, 'ssm' | 'secretsmanager', string];
  if (store === 'ssm' && !/^\/?[A-Za-z0-9_.\-/]{1,2048}$/.test(name)) {
    throw new Error(`${setting}: ${JSON.stringify(name)} is not an SSM parameter name (letters, digits, and _ . - /)`);
  }
  if (store === 'secretsmanager' && !/^[A-Za-z0-9/_+=.@:-]{1,2048}$/.test(name)) {
    throw new Error(`${setting}: ${JSON.stringify(name)} is not a Secrets Manager secret name (letters, digits, and / _ + = . @ -)`);
  }
  return { store, name };
}

/** Where a flow's secret settings are kept: DATAFLOW_SECRETS when set, else the SSM parameter `/<prefix>/secrets`. */
export function secretSettingsSource(options: { prefix?: string; environment?: NodeJS.ProcessEnv } = {}): SecretSource {
  const environment = options.environment ?? process.env;
  const configured = environment[AWS_ENV.secrets];
  if (configured) return parseSecretSource(configured, AWS_ENV.secrets);
  return { store: 'ssm', name: `/${awsPrefix(options.prefix, environment)}/secrets` };
}
