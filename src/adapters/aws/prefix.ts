/**
 * Every AWS resource of a deployment is named from one prefix, so dev, staging and prod live side
 * by side in one account, as in the talk: queues `<prefix>-<consumer>`, the secret
 * `/<prefix>/aeris-credentials`, and so on.
 */

/** Environment variables of the AWS adapters, in one place. */
export const AWS_ENV = {
  prefix: 'DATAFLOW_AWS_PREFIX',
  aerisCredentials: 'DATAFLOW_AERIS_CREDENTIALS',
} as const;

export const DEFAULT_AWS_PREFIX = 'dataflow';

/** Letters, digits, `-` and `_`, as every AWS name allows; short enough to leave room for the rest. */
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

/** The prefix given, else DATAFLOW_AWS_PREFIX, else `dataflow`; throws naming a bad one. */
export function awsPrefix(given?: string, environment: NodeJS.ProcessEnv = process.env): string {
  const fromEnvironment = environment[AWS_ENV.prefix];
  const prefix = given ?? (fromEnvironment === undefined || fromEnvironment === '' ? DEFAULT_AWS_PREFIX : fromEnvironment);
  if (!PREFIX.test(prefix)) {
    const where = given === undefined ? `${AWS_ENV.prefix} ` : 'the AWS prefix ';
    throw new Error(`${where}must be 1 to 40 letters, digits, '-' or '_', starting with a letter or digit (got ${JSON.stringify(prefix)})`);
  }
  return prefix;
}
