/** A flow's secret settings in SSM SecureString and Secrets Manager, on moto. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { secretSettingsReader, storeSecretSettings } from '../../src/adapters/aws-secrets/secret-settings.js';
import { secretSettingsSource, parseSecretSource, type SecretSource } from '../../src/adapters/aws-secrets/secret-source.js';
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
    await assert.rejects(secretSettingsReader({ store: 'ssm', name: '/nowhere/secrets' }, clients).read(), /secret settings from SSM parameter \/nowhere\/secrets: ParameterNotFound/);
    await assert.rejects(secretSettingsReader({ store: 'secretsmanager', name: 'nowhere/secrets' }, clients).read(), /secret settings from Secrets Manager secret nowhere\/secrets: ResourceNotFoundException/);
  });

  it('says what is wrong with a stored value by setting, never repeating a value', async () => {
    const cases: [string, RegExp][] = [
      [`not json ${SECRET}`, /does not hold JSON/],
      [JSON.stringify([SECRET]), /must hold a JSON object/],
      [JSON.stringify({ MAPS_CLIENT_ID: 'id', 'maps-secret': SECRET }), /"maps-secret" is not a setting name/],
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
