/**
 * `dataflow deploy aws`: the chosen flow's stack (deploy/aws/), for a stage. With `--synth` it
 * writes the cloud assembly (the CloudFormation template and the functions' code) into a folder
 * with no account and no network; without, the CDK toolkit deploys it, and the secret settings the
 * flow declares, found in the environment, are stored in the stack's secret. `dataflow destroy aws` takes it down.
 */
import { fileURLToPath } from 'node:url';
import { outboxMailer } from '../../adapters/mail/outbox-mailer.js';
import { memoryBlobStore } from '../../adapters/memory/blob-store.js';
import { requirePackages, SYNTH_PACKAGES, TOOLKIT_PACKAGES } from '../../deploy/aws/required-packages.js';
import type { DeploymentOptions } from '../../deploy/aws/synthesize.js';
import { embeddedPaths } from '../../embedded.js';
import { awsResourceNames } from '../../runtimes/aws/resource-names.js';
import { AWS_RUNTIME_ENV } from '../../runtimes/aws/settings.js';
import { declaredSecrets } from '../../core/flow-access.js';
import { chosenFlow, provideChosenFlow } from '../app.js';
import type { Settings } from '../settings.js';

export interface DeployAwsOptions {
  stage: string;
  /** Names the stack with the stage: `<name>-<stage>`. */
  name: string;
  flow?: string;
}

export const deployAwsHelp = `
What it makes, named <name>-<stage> (dataflow-dev by default), so stages live
side by side: per consumer a function (nodejs22.x), its queue and dead-letter
queue and its log group; the state table, the private bucket, the secret of the
flow's secret settings (when it declares any), the schedule on the flow's
cron, a dashboard and alarms.

Environment:
  AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
      the account and region deployed to (not read with --synth); the account
      must be bootstrapped for the CDK once (--bootstrap does it)
  the secret settings the flow declares (the weather flow's AERIS_CLIENT_ID
  and AERIS_CLIENT_SECRET)
      when all are set, stored in the stack's secret after deploying (never in
      the template, nor in a function's environment)
  ${AWS_RUNTIME_ENV.bucket}
      the bucket instead of <name>-<stage>-blobs (bucket names are global)
  ${AWS_RUNTIME_ENV.sesFrom}
      the SES identity mail goes from, verified beforehand (dataflow aws setup
      makes it): required when the flow sends mail, the one identity it may
      send as
  DATAFLOW_FLOW, DATAFLOW_CONFIG
      the flow deployed, and its config file (bundled with it); default the
      weather flow

Needs the optional packages aws-cdk-lib, constructs and esbuild (and
@aws-cdk/toolkit-lib to deploy or destroy):
  npm install --save-dev aws-cdk-lib constructs esbuild @aws-cdk/toolkit-lib
`;

/**
 * The flow's description and module, read as every command reads the flow. Destroying reads the
 * stack's name from it only, so a flow that sends mail needs no SES identity then.
 */
async function deployment(settings: Settings, options: DeployAwsOptions, purpose: 'deploy' | 'destroy' = 'deploy'): Promise<{ deployment: DeploymentOptions; declaredSecrets: string[] }> {
  const { describeFlow } = await import('../../deploy/aws/deployed-flow.js');
  const chosen = chosenFlow(settings, options.flow);
  const { configFile, choice } = chosen;
  const provided = await provideChosenFlow(settings, options.flow, { mailer: outboxMailer(embeddedPaths(settings.dir).outbox), blobs: memoryBlobStore() }, chosen);
  await provided.close?.();
  const value = (name: string) => settings.env[name] || undefined;
  const sesFrom = value(AWS_RUNTIME_ENV.sesFrom) ?? (purpose === 'destroy' ? 'unused@example.invalid' : undefined);
  return {
    deployment: {
      stage: options.stage,
      base: options.name,
      flow: describeFlow(provided.flow, { sesFrom }),
      flowModule: fileURLToPath(choice.url),
      configFile: configFile.file,
      bucketName: value(AWS_RUNTIME_ENV.bucket),
      sesFrom,
    },
    declaredSecrets: declaredSecrets(provided.flow),
  };
}

export async function synthAwsCommand(settings: Settings, options: DeployAwsOptions & { out: string }): Promise<number> {
  requirePackages(SYNTH_PACKAGES, 'dataflow deploy aws --synth');
  const { synthesize } = await import('../../deploy/aws/synthesize.js');
  const synthesized = synthesize({ ...(await deployment(settings, options)).deployment, outdir: options.out });
  process.stdout.write(`stack ${synthesized.stackName} (stage ${synthesized.stage.stage}): template ${synthesized.templateFile}\n`);
  return 0;
}

export async function deployAwsCommand(settings: Settings, options: DeployAwsOptions & { bootstrap?: boolean }): Promise<number> {
  requirePackages(TOOLKIT_PACKAGES, 'dataflow deploy aws');
  const [{ declaredSecretsFromEnvironment }, { deployStack }, { STACK_OUTPUTS }, { storeSecretSettings }] = await Promise.all([
    import('../../runtimes/aws/setup.js'),
    import('../../deploy/aws/toolkit.js'),
    import('../../deploy/aws/flow-stack.js'),
    import('../../adapters/aws-secrets/secret-settings.js'),
  ]);
  const { deployment: planned, declaredSecrets: declared } = await deployment(settings, options);
  const secrets = declaredSecretsFromEnvironment(declared, settings.env); // checked before deploying
  const { stackName, outputs } = await deployStack({ ...planned, bootstrap: options.bootstrap });
  const secret = outputs[STACK_OUTPUTS.secret];
  const lines = [`stack ${stackName} deployed`];
  if (secrets && secret) lines.push(`secret settings ${declared.join(', ')} stored in ${await storeSecretSettings({ store: 'secretsmanager', name: secret }, secrets)}`);
  else if (declared.length > 0) lines.push(`secret settings: none of ${declared.join(', ')} in the environment: set them and deploy again to store them`);
  lines.push(
    'to send messages to it and watch them from here:',
    `  export DATAFLOW_RUNTIME=aws DATAFLOW_AWS_PREFIX=${outputs[STACK_OUTPUTS.prefix]} ${AWS_RUNTIME_ENV.bucket}=${outputs[STACK_OUTPUTS.bucket]}`,
    `  dashboard: CloudWatch, ${outputs[STACK_OUTPUTS.dashboard]}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export async function destroyAwsCommand(settings: Settings, options: DeployAwsOptions): Promise<number> {
  requirePackages(TOOLKIT_PACKAGES, 'dataflow destroy aws');
  const [{ destroyStack }, { stageSettings }, { emptyBucket }] = await Promise.all([
    import('../../deploy/aws/toolkit.js'),
    import('../../deploy/aws/stages.js'),
    import('../../deploy/aws/empty-bucket.js'),
  ]);
  const stage = stageSettings(options.stage, options.name);
  // Named as the stack names it.
  const { bucket } = awsResourceNames(stage.prefix, { bucket: settings.env[AWS_RUNTIME_ENV.bucket] || undefined, environment: {} });
  const lines: string[] = [];
  // CloudFormation deletes no bucket that holds objects: a stage that keeps no data empties it first.
  if (!stage.retainData) {
    const deleted = await emptyBucket(bucket).catch((error: Error) => {
      throw new Error(`could not empty the bucket ${bucket} before destroying the stack ${stage.prefix}: ${error.message}`, { cause: error });
    });
    lines.push(`bucket ${bucket}: ${deleted} objects deleted`);
  }
  const { stackName } = await destroyStack((await deployment(settings, options, 'destroy')).deployment);
  lines.push(`stack ${stackName} destroyed${stage.retainData ? `; its table and bucket ${bucket} are kept (stage ${stage.stage} keeps its data)` : ''}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
