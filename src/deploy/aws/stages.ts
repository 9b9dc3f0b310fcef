/**
 * The stages a flow deploys to, side by side in one account: each its own prefix (`dataflow-dev`,
 * `dataflow-staging`, `dataflow-prod`), so its own stack, queues, table, bucket and secret.
 * Production keeps its data when the stack goes and its logs longer.
 */
import { checkedAwsPrefix } from '../../adapters/aws/prefix.js';

export const STAGES = ['dev', 'staging', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** The longest `-<stage>` a base name takes on. */
const LONGEST_STAGE_SUFFIX = STAGES.map((stage) => `-${stage}`).reduce((longest, suffix) => (suffix.length > longest.length ? suffix : longest));

/** `base` when every stage's prefix, `<base>-<stage>`, is a valid AWS prefix; else throws naming it as `what`. */
export function checkedStageBase(base: string, what: string): string {
  return checkedAwsPrefix(base, what, LONGEST_STAGE_SUFFIX);
}

export interface StageSettings {
  stage: StageName;
  /** Names the stack and every resource. */
  prefix: string;
  /** Keep the table and bucket when the stack is deleted. */
  retainData: boolean;
  logRetentionDays: 14 | 90;
}

export function stageSettings(stage: string, base = 'dataflow'): StageSettings {
  if (!(STAGES as readonly string[]).includes(stage)) throw new Error(`--stage must be one of ${STAGES.join(', ')}, got ${JSON.stringify(stage)}`);
  const name = stage as StageName;
  return { stage: name, prefix: `${base}-${name}`, retainData: name === 'prod', logRetentionDays: name === 'prod' ? 90 : 14 };
}
