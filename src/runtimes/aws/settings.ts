/**
 * What the AWS runtime reads from its environment, at its entry point only (a Lambda handler's
 * module, the `dataflow` command): the prefix every resource is named from, the endpoint (the
 * AWS SDK reads AWS_ENDPOINT_URL and AWS_REGION itself; this only tells S3 to use path-style
 * addresses then), where the flow's secret settings are kept, and how mail goes out: SES v2, or SMTP
 * when SMTP_URL is set. Everything below takes these as options.
 */
import { AWS_ENV } from '../../adapters/aws/prefix.js';
import { secretSettingsSource, type SecretSource } from '../../adapters/aws-secrets/secret-source.js';
import { emfDestination, type EmfDestination } from '../../observability/emf-destination.js';
import { runtimeDefaults, runtimeEnv } from '../env.js';
import { awsResourceNames, type AwsResourceNames } from './resource-names.js';

/** The AWS runtime's own variables, beside AWS_ENV's (prefix, secret settings) and the SDK's. */
export const AWS_RUNTIME_ENV = {
  /** The bucket, when `<prefix>-blobs` is taken (bucket names are global). */
  bucket: 'DATAFLOW_AWS_BUCKET',
  /** The SES identity mail goes from, e.g. `gifs@example.com`; `aws setup` makes it. Unset: each mail's own `from`. */
  sesFrom: 'DATAFLOW_SES_FROM',
  /** Which consumer a Lambda function built from the consumer handler's entry is. */
  consumer: 'DATAFLOW_CONSUMER',
  /** Where the handlers' EMF metric lines go: `stdout`, `off` or a file. Unset: stdout in Lambda, none elsewhere. */
  emf: 'DATAFLOW_EMF',
} as const;

/** Variables read no more, and what took their place: set, they stop the start rather than go unheard. */
const RENAMED: Readonly<Record<string, string>> = { DATAFLOW_AERIS_CREDENTIALS: `${AWS_ENV.secrets}, whose secret holds each secret setting the flow declares by its name, {"NAME": "value"}` };

/** Set by Lambda in every function's environment: the handlers run there. */
const LAMBDA_FUNCTION_NAME = 'AWS_LAMBDA_FUNCTION_NAME';

export interface AwsRuntimeSettings {
  names: AwsResourceNames;
  /** AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_S3): an emulator, so S3 is addressed path-style. */
  endpoint?: string;
  /** Where the flow's secret settings are kept. */
  secretSource: SecretSource;
  /** True when DATAFLOW_SECRETS names the source: then it must exist. The default one may be missing (no secret settings: the flow's own fallback). */
  secretRequired: boolean;
  smtpUrl?: string;
  sesFrom?: string;
  /** DATAFLOW_FLOW: the flow module; default the config file's, else the weather flow. */
  flow?: string;
  configPath?: string;
  linkExpiresSeconds: number;
  /** Where EMF metric lines go (see observability/emf-destination.ts); none: no metrics. */
  emf?: EmfDestination;
  /** The environment as read: the flow's factory gets it (with the secret's values added). */
  env: Readonly<Record<string, string | undefined>>;
}

export function readAwsSettings(environment: Readonly<Record<string, string | undefined>> = process.env): AwsRuntimeSettings {
  const value = (name: string) => (environment[name] === undefined || environment[name] === '' ? undefined : environment[name]);
  const env = environment as NodeJS.ProcessEnv;
  for (const [old, now] of Object.entries(RENAMED)) if (value(old) !== undefined) throw new Error(`${old} is no longer read: use ${now}`);
  const names = awsResourceNames(undefined, { bucket: value(AWS_RUNTIME_ENV.bucket), environment: env });
  const linkText = value(runtimeEnv.linkExpiresSeconds);
  const linkExpiresSeconds = linkText === undefined ? runtimeDefaults.linkExpiresSeconds : Number(linkText);
  if (!Number.isInteger(linkExpiresSeconds) || linkExpiresSeconds < 1 || linkExpiresSeconds > runtimeDefaults.linkExpiresSeconds) {
    throw new Error(`${runtimeEnv.linkExpiresSeconds} must be a whole number of seconds from 1 to ${runtimeDefaults.linkExpiresSeconds}, got ${JSON.stringify(linkText)}`);
  }
  return {
    names,
    endpoint: value('AWS_ENDPOINT_URL_S3') ?? value('AWS_ENDPOINT_URL'),
    secretSource: secretSettingsSource({ prefix: names.prefix, environment: env }),
    secretRequired: value(AWS_ENV.secrets) !== undefined,
    smtpUrl: value(runtimeEnv.smtpUrl),
    sesFrom: value(AWS_RUNTIME_ENV.sesFrom),
    flow: value(runtimeEnv.flow),
    configPath: value(runtimeEnv.config),
    linkExpiresSeconds,
    emf: emfDestination(value(AWS_RUNTIME_ENV.emf), { inLambda: value(LAMBDA_FUNCTION_NAME) !== undefined }),
    env: environment,
  };
}
