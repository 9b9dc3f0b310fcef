/**
 * Deploying and destroying through the CDK toolkit (`@aws-cdk/toolkit-lib`), with the AWS SDK's
 * own credentials and region (AWS_PROFILE, AWS_REGION, ...). The toolkit waits on CloudFormation
 * and reports each resource's progress and failure itself: nothing here polls.
 */
import { BootstrapEnvironments, StackSelectionStrategy, Toolkit } from '@aws-cdk/toolkit-lib';
import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyBundle } from './lambda-bundle.js';
import { addDeployment, type DeploymentOptions } from './synthesize.js';

export interface DeployedOutputs {
  stackName: string;
  outputs: Record<string, string>;
}

async function assemblyOf(toolkit: Toolkit, options: DeploymentOptions) {
  let stackName = '';
  const source = await toolkit.fromAssemblyBuilder(
    async (props) => {
      const app = new App({ outdir: props.outdir, context: props.context, analyticsReporting: false });
      stackName = addDeployment(app, options, { account: props.env.CDK_DEFAULT_ACCOUNT, region: props.env.CDK_DEFAULT_REGION }).stack.stackName;
      return app.synth();
    },
    { clobberEnv: false },
  );
  return { source, stackName: () => stackName };
}

/** `bootstrap`: first make the CDK's own stack in the account and region (once for each). */
export async function deployStack(options: DeploymentOptions & { bootstrap?: boolean }): Promise<DeployedOutputs> {
  const toolkit = new Toolkit({ emojis: false, color: false });
  const { bootstrap, ...deployment } = options;
  const { source, stackName } = await assemblyOf(toolkit, deployment);
  if (bootstrap) await toolkit.bootstrap(BootstrapEnvironments.fromCloudAssemblySource(source));
  const result = await toolkit.deploy(source, { stacks: { strategy: StackSelectionStrategy.ALL_STACKS } }).catch((error: Error) => {
    throw new Error(`could not deploy ${stackName() || 'the stack'}: ${error.message}`, { cause: error });
  });
  const deployed = result.stacks.find((s) => s.stackName === stackName()) ?? result.stacks[0];
  if (!deployed) throw new Error('the toolkit deployed no stack');
  return { stackName: deployed.stackName, outputs: deployed.outputs };
}

export async function destroyStack(options: DeploymentOptions): Promise<{ stackName: string }> {
  const toolkit = new Toolkit({ emojis: false, color: false });
  // Destroying goes by the stack's name, never by its code: the functions get an empty folder
  // rather than a bundle of the flow.
  const empty = mkdtempSync(join(tmpdir(), 'dataflow-destroy-'));
  try {
    const { source, stackName } = await assemblyOf(toolkit, { ...options, bundle: emptyBundle(empty) });
    await toolkit.destroy(source, { stacks: { strategy: StackSelectionStrategy.ALL_STACKS } }).catch((error: Error) => {
      throw new Error(`could not destroy ${stackName() || 'the stack'}: ${error.message}`, { cause: error });
    });
    return { stackName: stackName() };
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
}
