/**
 * Every AWS resource of a deployment is named from one prefix, so dev, staging and prod live side
 * by side in one account, as in the talk: queues `<prefix>-<consumer>`, the secret
 * `/<prefix>/secrets`, and so on.
 */

/** Environment variables of the AWS adapters, in one place. */
export const AWS_ENV = {
  prefix: 'DATAFLOW_AWS_PREFIX',
  /** Where the flow's secret settings are kept: `ssm:<parameter>` or `secretsmanager:<secret>`. */
  secrets: 'DATAFLOW_SECRETS',
} as const;

export const DEFAULT_AWS_PREFIX = 'dataflow';

/** Letters, digits, `-` and `_`, as every AWS name allows, a letter or digit first. */
const PREFIX = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** Short enough to leave room for the rest of every name. */
const PREFIX_LENGTH = 40;

/** The prefix given, else DATAFLOW_AWS_PREFIX, else `dataflow`; throws naming a bad one. */
export function awsPrefix(given?: string, environment: NodeJS.ProcessEnv = process.env): string {
  const fromEnvironment = environment[AWS_ENV.prefix];
  const prefix = given ?? (fromEnvironment === undefined || fromEnvironment === '' ? DEFAULT_AWS_PREFIX : fromEnvironment);
  return checkedAwsPrefix(prefix, given === undefined ? AWS_ENV.prefix : 'the AWS prefix');
}

/**
 * `text`, when it is a valid prefix even with `suffix` added to it (the start of a prefix that
 * `suffix` completes); else throws naming it as `what`, with the length it may have.
 */
export function checkedAwsPrefix(text: string, what: string, suffix = ''): string {
  const most = PREFIX_LENGTH - suffix.length;
  if (!PREFIX.test(text) || text.length > most) {
    const room = suffix === '' ? '' : `, to leave room for ${JSON.stringify(suffix)}`;
    throw new Error(`${what} must be 1 to ${most} letters, digits, '-' or '_', starting with a letter or digit${room} (got ${JSON.stringify(text)})`);
  }
  return text;
}
