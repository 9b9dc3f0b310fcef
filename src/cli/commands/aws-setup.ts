/**
 * `dataflow aws setup`: makes what the AWS stack would (see runtimes/aws/setup.ts) for the chosen
 * flow, named from DATAFLOW_AWS_PREFIX, and prints what it made or found. The flow is loaded only
 * for its consumers: nothing runs.
 */
import { memoryBlobStore } from '../../adapters/memory/blob-store.js';
import { outboxMailer } from '../../adapters/mail/outbox-mailer.js';
import { embeddedPaths } from '../../embedded.js';
import { declaredSecrets } from '../../core/flow-access.js';
import { provideChosenFlow } from '../app.js';
import type { Settings } from '../settings.js';

export const awsSetupHelp = `
Environment:
  DATAFLOW_AWS_PREFIX
      names every resource: queues <prefix>-<consumer> and <prefix>-<consumer>-dlq,
      the table <prefix>-state, the bucket <prefix>-blobs; default dataflow
  DATAFLOW_AWS_BUCKET
      the bucket instead of <prefix>-blobs (bucket names are global)
  AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
      the AWS SDK's own: an emulator (moto, LocalStack) or an account
  DATAFLOW_SES_FROM
      the SES identity mail goes from (an address or a domain); made here, and SES
      mails it a link to verify it; unset: none is made
  the secret settings the flow declares (the weather flow's AERIS_CLIENT_ID
  and AERIS_CLIENT_SECRET)
      when all are set, stored together as the stack's secret (never as a
      function's plain environment)
  DATAFLOW_SECRETS
      where that secret goes: ssm:<parameter> or secretsmanager:<secret>; default
      ssm:/<prefix>/secrets
  DATAFLOW_FLOW, DATAFLOW_CONFIG
      the flow whose consumers get queues; default the weather flow
`;

export async function awsSetupCommand(settings: Settings, options: { flow?: string }): Promise<number> {
  const [{ setUpAws, declaredSecretsFromEnvironment }, { readAwsSettings }] = await Promise.all([import('../../runtimes/aws/setup.js'), import('../../runtimes/aws/settings.js')]);
  const aws = readAwsSettings(settings.env);
  const provided = await provideChosenFlow(settings, options.flow, { mailer: outboxMailer(embeddedPaths(settings.dir).outbox), blobs: memoryBlobStore() });
  const consumers = provided.flow.consumers();
  const declared = declaredSecrets(provided.flow);
  await provided.close?.();
  const secrets = declaredSecretsFromEnvironment(declared, settings.env);
  const made = await setUpAws({ settings: aws, consumers, secrets });
  const state = (created: boolean) => (created ? 'created' : 'already there');
  const lines = [
    ...made.queues.map((q) => `queue ${q.queueName} (dead letters: ${q.deadLetterQueueName} after ${q.maxReceiveCount} receives; visibility ${q.visibilityTimeoutSeconds} s): ${state(q.created)}`),
    `table ${made.table.name}: ${state(made.table.created)}`,
    `bucket ${made.bucket.name} (private): ${state(made.bucket.created)}`,
    made.sender
      ? `SES sender ${made.sender.identity}: ${state(made.sender.created)}${made.sender.verifiedForSending ? '' : '; not verified yet: SES mailed it a link'}`
      : aws.smtpUrl
        ? 'SES sender: none (mail goes over SMTP_URL)'
        : 'SES sender: none (set DATAFLOW_SES_FROM to make one)',
    made.secret
      ? `secret settings ${declared.join(', ')} stored in ${made.secret}`
      : declared.length > 0
        ? `secret settings: none of ${declared.join(', ')} in the environment: nothing stored`
        : 'secret settings: the flow declares none',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
