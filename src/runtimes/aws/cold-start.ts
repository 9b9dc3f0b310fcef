/**
 * What a handler builds once, at its cold start, and reuses while warm: the SDK clients, the
 * state store, blob store and mailer over them, the flow's secret settings (read once from SSM or
 * Secrets Manager), the flow (loaded by the flow-module contract, the weather flow by default) and
 * the processor. Nothing here holds a message: each invocation's state lives in DynamoDB and SQS.
 *
 * The secret settings reach the flow through its factory's settings (in `settings.env`, under
 * the names the flow declares in `access`), never through the function's plain environment, and
 * they go to the processor's `redact` and the log's scrubber. Only a context whose consumers
 * declare a secret setting reads the secret, and it hands the factory only the settings they
 * declare: so a function's role needs the secret only where its handler uses it. A declared
 * setting the secret does not hold stays unset, as an unset variable would, for the flow to decide.
 * Which consumer declares what is known once the flow is built, so such a context builds the flow
 * twice: without the secret, then with it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretNotFoundError, secretSettingsReader, type SecretSettings } from '../../adapters/aws-secrets/secret-settings.js';
import { describeSource } from '../../adapters/aws-secrets/secret-source.js';
import { openDynamoStateStore } from '../../adapters/dynamodb/state-store.js';
import { smtpMailer } from '../../adapters/mail/smtp-mailer.js';
import { s3BlobStore } from '../../adapters/s3/blob-store.js';
import { sesMailer } from '../../adapters/ses/mailer.js';
import { queueUrls, type QueueUrls } from '../../adapters/sqs/queue-names.js';
import { sqsSender } from '../../adapters/sqs/sender.js';
import { sqsVisibility, type Visibility } from '../../adapters/sqs/visibility.js';
import type { FlowEventListener } from '../../core/events.js';
import { declaredSecrets } from '../../core/flow-access.js';
import { provideFlow, type FlowPorts, type FlowSource, type ProvidedFlow } from '../../core/flow-module.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { createProcessor, type Processor } from '../../core/processor.js';
import type { RetryOverrides } from '../../core/retry-policy.js';
import { invocationTelemetry, type InvocationTelemetry, type InvocationTelemetryOptions } from '../../observability/invocation-telemetry.js';
import { knownSecrets, secretsFromEnvironment, textScrubber } from '../../observability/secrets.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Mailer } from '../../ports/mailer.js';
import type { MessageBrowser } from '../../ports/message-browser.js';
import type { StateStore } from '../../ports/state-store.js';
import type { Sender } from '../../ports/transport.js';
import { readConfigFile } from '../../cli/config-file.js';
import { chooseFlow, importFlow } from '../../cli/load-flow.js';
import type { AwsRuntimeSettings } from './settings.js';

export interface AwsContext {
  settings: AwsRuntimeSettings;
  provided: ProvidedFlow;
  processor: Processor;
  state: StateStore & MessageBrowser;
  blobs: BlobStore;
  mailer: Mailer;
  sender: Sender;
  sqs: SQSClient;
  urls: QueueUrls;
  visibility: Visibility;
  log: Logger;
  /** What each handler invocation runs inside: its logs told the Lambda context, its EMF metrics written when it ends. */
  telemetry: InvocationTelemetry;
  /** Scrubs every known secret from a text. */
  redact(text: string): string;
  /** Releases what the cold start opened (a host process ends; a Lambda never calls it). */
  close(): Promise<void>;
}

export interface ColdStartOptions {
  /** Makes the logger once the secrets are known, so it scrubs them from its first line; one with `addContext` is told each invocation's Lambda context. @defaultValue silent */
  log?: (secrets: readonly string[]) => InvocationTelemetryOptions['log'];
  onEvent?: FlowEventListener;
  retry?: RetryOverrides;
  /** `--flow`, above DATAFLOW_FLOW. */
  flow?: string;
  /** The flow module's export itself, imported statically by a deployment's bundle: then neither `flow` nor DATAFLOW_FLOW is read. */
  source?: FlowSource;
  /** Wraps the state store the processor uses: for tests that act at a chosen moment of a handling. */
  wrapState?: (state: StateStore) => StateStore;
  /** The consumers this context handles: the secret is read only when one of them declares a secret setting. @defaultValue every consumer of the flow */
  consumers?: readonly string[];
}

export async function coldStart(settings: AwsRuntimeSettings, options: ColdStartOptions = {}): Promise<AwsContext> {
  const { names } = settings;
  const sqs = new SQSClient({});
  const dynamo = new DynamoDBClient({});
  const urls = queueUrls(sqs);
  const blobs = s3BlobStore({ forcePathStyle: Boolean(settings.endpoint), presignExpiresInSeconds: settings.linkExpiresSeconds });
  const mailer = settings.smtpUrl ? smtpMailer(settings.smtpUrl) : sesMailer({ from: settings.sesFrom });
  let provided: ProvidedFlow | undefined;
  try {
    const configFile = readConfigFile(settings.configPath);
    const choice = options.source === undefined ? chooseFlow(options.flow, settings.flow, configFile) : undefined;
    const source = choice ? await importFlow(choice) : options.source;
    const name = choice?.name ?? 'the bundled flow module';
    const ports = (env: FlowPorts['settings']['env']): FlowPorts => ({ mailer, blobs, settings: { config: configFile.values, configFile: configFile.file, env } });
    provided = await provideFlow(source, ports(settings.env), name);
    const wanted = declaredSecrets(provided.flow, options.consumers);
    const held = wanted.length > 0 ? await readSecretSettings(settings) : undefined;
    const read = held ? pick(held, wanted) : {};
    if (Object.keys(read).length > 0) {
      const first = provided;
      provided = undefined;
      await first.close?.();
      provided = await provideFlow(source, ports({ ...settings.env, ...read }), name);
    }
    const secrets = knownSecrets([...secretsFromEnvironment(settings.env), ...Object.values(read), ...(provided.secrets ?? [])]);
    const redact = textScrubber(secrets);
    const log = options.log?.(secrets) ?? silentLogger;
    // Names only: what the flow will find unset (it decides what that means, as with a variable).
    const unset = wanted.filter((name) => !Object.hasOwn(read, name));
    if (unset.length > 0) {
      const where = describeSource(settings.secretSource);
      log.warn({ unset, source: where }, `${held ? `${where} holds no` : `no ${where}, so no`} ${unset.join(', ')}: the flow gets ${unset.length > 1 ? 'them' : 'it'} unset (store ${unset.length > 1 ? 'them' : 'it'} with dataflow aws setup or deploy aws)`);
    }
    const state = openDynamoStateStore({ client: dynamo, table: names.table });
    const sender = sqsSender({ client: sqs, prefix: names.prefix, urls });
    const telemetry = invocationTelemetry({ service: names.prefix, emf: settings.emf, redact, log });
    const onEvent: FlowEventListener = (event) => (telemetry.listen(event), options.onEvent?.(event));
    const processor = createProcessor({ flow: provided.flow, state: options.wrapState ? options.wrapState(state) : state, blobs, sender, bucket: names.bucket, log, retry: options.retry, redact, onEvent });
    const opened = provided;
    return {
      settings,
      provided: opened,
      processor,
      state,
      blobs,
      mailer,
      sender,
      sqs,
      urls,
      visibility: sqsVisibility(sqs, urls),
      log,
      telemetry,
      redact,
      async close() {
        try {
          await opened.close?.();
        } finally {
          await mailer.close?.();
          await state.close();
          sqs.destroy();
          dynamo.destroy();
        }
      },
    };
  } catch (error) {
    await provided?.close?.();
    await mailer.close?.();
    sqs.destroy();
    dynamo.destroy();
    throw error;
  }
}

/** The declared settings the secret holds. */
function pick(held: SecretSettings, wanted: readonly string[]): Record<string, string> {
  return Object.fromEntries(wanted.filter((name) => Object.hasOwn(held, name)).map((name) => [name, held[name]!]));
}

/** The stack's secret, when there is one; a missing default one means none (the flow decides). */
async function readSecretSettings(settings: AwsRuntimeSettings): Promise<SecretSettings | undefined> {
  try {
    return await secretSettingsReader(settings.secretSource).read();
  } catch (error) {
    if (error instanceof SecretNotFoundError && !settings.secretRequired) return undefined;
    throw new Error(`${(error as Error).message} (${describeSource(settings.secretSource)})`, { cause: error });
  }
}
