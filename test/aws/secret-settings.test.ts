/** A flow's secret settings in SSM SecureString and Secrets Manager, on moto. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { SecretNotFoundError, secretSettingsReader, storeSecretSettings } from '../../src/adapters/aws-secrets/secret-settings.js';
import { secretSettingsSource, parseSecretSource, type SecretSource } from '../../src/adapters/aws-secrets/secret-source.js';
import { coldStart } from '../../src/runtimes/aws/cold-start.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';
import { skipWithoutMoto, startMoto, type Moto } from '../support/moto.js';

Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' });

const skip = await skipWithoutMoto();
let moto: Moto | undefined;
let clients: { ssm: SSMClient; secretsManager: SecretsManagerClient };

before(async () => {
  if (skip) return;
  moto = await startMoto();
  clients = { ssm: new SSMClient({ endpoint: moto.endpoint }), secretsManager: new SecretsManagerClient({ endpoint: moto.endpoint }) };
});
after(async () => {
  clients?.ssm.destroy();
  clients?.secretsManager.destroy();
  await moto?.stop();
});

const SECRET = 'wJalrXUtnFEMI-aeris-secret';
const settings = { MAPS_CLIENT_ID: 'maps-client-id-1', MAPS_CLIENT_SECRET: SECRET };
const sources: SecretSource[] = [
  { store: 'ssm', name: '/dataflow-test/secrets' },
  { store: 'secretsmanager', name: 'dataflow-test/secrets' },
];

describe('secret settings on moto', { skip }, () => {
  for (const source of sources) {
    it(`stores them in ${source.store} (encrypted in SSM), replaces them, and reads them once per process`, async () => {
      assert.match(await storeSecretSettings(source, { OLD_TOKEN: 'old-secret' }, clients), new RegExp(source.name));
      await storeSecretSettings(source, settings, clients); // again: replaced, not refused
      if (source.store === 'ssm') {
        const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: source.name }));
        assert.equal(Parameter?.Type, 'SecureString');
      } else {
        const { SecretString } = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: source.name }));
        assert.deepEqual(JSON.parse(SecretString!), settings);
      }
      const reader = secretSettingsReader(source, clients);
      assert.deepEqual(await reader.read(), settings, 'all of them, and only them: the old ones were replaced');
      // Changed behind its back: a warm process keeps what it read at its cold start.
      await storeSecretSettings(source, { ...settings, MAPS_CLIENT_SECRET: 'rotated-secret' }, clients);
      assert.deepEqual(await reader.read(), settings);
      assert.deepEqual(await secretSettingsReader(source, clients).read(), { ...settings, MAPS_CLIENT_SECRET: 'rotated-secret' }, 'a new process reads anew');
    });
  }

  it('names the missing parameter or secret', async () => {
    await assert.rejects(secretSettingsReader({ store: 'ssm', name: '/nowhere/secrets' }, clients).read(), (error: Error) => error instanceof SecretNotFoundError && /secret settings from SSM parameter \/nowhere\/secrets: ParameterNotFound/.test(error.message));
    await assert.rejects(secretSettingsReader({ store: 'secretsmanager', name: 'nowhere/secrets' }, clients).read(), (error: Error) => error instanceof SecretNotFoundError && /secret settings from Secrets Manager secret nowhere\/secrets: ResourceNotFoundException/.test(error.message));
  });

  it('says what is wrong with a stored value by setting, never repeating a value', async () => {
    const cases: [string, RegExp][] = [
      [`not json ${SECRET}`, /does not hold JSON/],
      [JSON.stringify([SECRET]), /must hold a JSON object/],
      [JSON.stringify({ MAPS_CLIENT_ID: 'id', [SECRET]: 'typed in the wrong field' }), /a key is not a setting name/],
      [JSON.stringify({ MAPS_CLIENT_ID: '', MAPS_CLIENT_SECRET: 7 }), /MAPS_CLIENT_ID and MAPS_CLIENT_SECRET must be non-empty strings/],
    ];
    for (const [index, [value, why]] of cases.entries()) {
      const name = `/dataflow-test/bad-${index}`;
      await clients.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString' }));
      await assert.rejects(secretSettingsReader({ store: 'ssm', name }, clients).read(), (error: Error) => {
        assert.match(error.message, why);
        assert.ok(error.message.includes(name), `${error.message} names the parameter`);
        assert.ok(!error.message.includes(SECRET), `${error.message} does not repeat the value`);
        return true;
      });
    }
    await assert.rejects(storeSecretSettings(sources[0]!, { MAPS_CLIENT_ID: 'id', MAPS_CLIENT_SECRET: ' ' }, clients), /MAPS_CLIENT_SECRET must be a non-empty string/);
  });
});

describe('a cold start and the secret settings its consumer declares, on moto', { skip }, () => {
  const coldStartOf = async (prefix: string, consumer: string) => {
    const warnings: { fields: Record<string, unknown>; text: string }[] = [];
    const log = { warn: (fields: Record<string, unknown>, text: string) => warnings.push({ fields, text }), info() {}, error() {}, debug() {}, child: () => log };
    const env = { ...process.env, AWS_ENDPOINT_URL: moto!.endpoint, DATAFLOW_AWS_PREFIX: prefix };
    const saved = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = moto!.endpoint; // the cold start's own clients read it
    try {
      const context = await coldStart(readAwsSettings(env), { log: () => log as never, consumers: [consumer] });
      await context.close();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
      else process.env.AWS_ENDPOINT_URL = saved;
    }
    return warnings;
  };

  it('warns, naming the settings and never a value, when the secret lacks one the consumer declares', async () => {
    const [none, ...more] = await coldStartOf('cold-none', 'amp-image-fetcher');
    assert.equal(more.length, 0);
    assert.deepEqual(none?.fields.unset, ['AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET']);
    assert.match(none!.text, /no SSM parameter \/cold-none\/secrets, so no AERIS_CLIENT_ID, AERIS_CLIENT_SECRET: the flow gets them unset/);

    // A secret stored in the Aeris pair's old shape holds neither name.
    await storeSecretSettings({ store: 'ssm', name: '/cold-old/secrets' }, { clientId: 'id-1', clientSecret: SECRET }, clients);
    const [old] = await coldStartOf('cold-old', 'amp-image-fetcher');
    assert.deepEqual(old?.fields.unset, ['AERIS_CLIENT_ID', 'AERIS_CLIENT_SECRET']);
    assert.match(old!.text, /SSM parameter \/cold-old\/secrets holds no AERIS_CLIENT_ID, AERIS_CLIENT_SECRET/);
    assert.ok(!JSON.stringify(old).includes(SECRET));
  });

  it('says nothing when the secret holds them all, or the consumer declares none', async () => {
    await storeSecretSettings({ store: 'ssm', name: '/cold-all/secrets' }, { AERIS_CLIENT_ID: 'id-1', AERIS_CLIENT_SECRET: SECRET }, clients);
    assert.deepEqual(await coldStartOf('cold-all', 'amp-image-fetcher'), []);
    assert.deepEqual(await coldStartOf('cold-none', 'thumbnail-creator'), []);
  });
});

describe('secret sources', () => {
  it('reads ssm: and secretsmanager: sources, and defaults to SSM under the prefix', () => {
    assert.deepEqual(parseSecretSource('ssm:/prod/aeris'), { store: 'ssm', name: '/prod/aeris' });
    assert.deepEqual(parseSecretSource('secretsmanager:prod/aeris'), { store: 'secretsmanager', name: 'prod/aeris' });
    assert.deepEqual(secretSettingsSource({ environment: {} }), { store: 'ssm', name: '/dataflow/secrets' });
    assert.deepEqual(secretSettingsSource({ environment: { DATAFLOW_AWS_PREFIX: 'staging' } }), { store: 'ssm', name: '/staging/secrets' });
    assert.deepEqual(secretSettingsSource({ environment: { DATAFLOW_SECRETS: 'secretsmanager:x/y' } }), { store: 'secretsmanager', name: 'x/y' });
  });

  it('names a bad source and the setting it came from', () => {
    assert.throws(() => secretSettingsSource({ environment: { DATAFLOW_SECRETS: 'vault:x' } }), /DATAFLOW_SECRETS must be ssm:<parameter name> or secretsmanager:<secret name> \(got "vault:x"\)/);
    assert.throws(() => parseSecretSource('ssm:/a b'), /"\/a b" is not an SSM parameter name/);
    assert.throws(() => secretSettingsSource({ environment: { DATAFLOW_AWS_PREFIX: 'has space' } }), /DATAFLOW_AWS_PREFIX must be 1 to 40 letters/);
  });
});
