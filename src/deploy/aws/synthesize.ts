/**
 * A deployment's CDK app: one `DataflowStack` for a stage, synthesized with no account and no
 * network (`dataflow deploy aws --synth`), or handed to the CDK toolkit to deploy or destroy
 * (toolkit.ts), which then names the account and region.
 */
import { App } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { join } from 'node:path';
import type { DataflowFlowProps } from './flow-resources.js';
import { DataflowStack } from './flow-stack.js';
import { stageSettings, type StageSettings } from './stages.js';

export interface DeploymentOptions extends Omit<DataflowFlowProps, 'prefix' | 'retainData' | 'logRetention'> {
  /** dev, staging or prod. */
  stage: string;
  /** What the prefix is made from: `<base>-<stage>`. @defaultValue dataflow */
  base?: string;
}

export interface Synthesized {
  stackName: string;
  /** The CloudFormation template, in the cloud assembly. */
  templateFile: string;
  /** The cloud assembly: the template, its asset (the functions' code) and the manifest. */
  outdir: string;
  stage: StageSettings;
}

/** Adds the stage's stack to `app`; `env` names an account and region, or none for a template that fits any. */
export function addDeployment(app: App, options: DeploymentOptions, env?: { account?: string; region?: string }): { stack: DataflowStack; stage: StageSettings } {
  const stage = stageSettings(options.stage, options.base);
  const { stage: _, base: __, ...props } = options;
  const stack = new DataflowStack(app, stage.prefix, {
    ...props,
    prefix: stage.prefix,
    retainData: stage.retainData,
    logRetention: stage.logRetentionDays === 90 ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.TWO_WEEKS,
    ...(env ? { env } : {}),
  });
  return { stack, stage };
}

/** Writes the cloud assembly into `outdir`: no account, no network. */
export function synthesize(options: DeploymentOptions & { outdir: string }): Synthesized {
  const { outdir, ...deployment } = options;
  const app = new App({ outdir, analyticsReporting: false });
  const { stack, stage } = addDeployment(app, deployment);
  app.synth();
  return { stackName: stack.stackName, templateFile: join(outdir, stack.templateFile), outdir, stage };
}
