/** The Aeris credentials in SSM SecureString and Secrets Manager, on moto. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { aerisCredentialsReader, storeAerisCredentials } from '../../src/adapters/aws-secrets/aeris-credentials.js';
import { aerisCredentialsSource, parseSecretSource, type SecretSource } from '../../src/adapters/aws-secrets/secret-source.js';
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
const credentials = { clientId: 'aeris-client-id-1', clientSecret: SECRET };
const sources: SecretSource[] = [
  { store: 'ssm', name: '/dataflow-test/aeris-credentials' },
  { store: 'secretsmanager', name: 'dataflow-test/aeris-credentials' },
];

describe('Aeris credentials on moto', { skip }, () => {
  for (const source of sources) {
    it(`stores them in ${source.store} (encrypted in SSM), replaces them, and reads them once per process`, async () => {
      assert.match(await storeAerisCredentials(source, { clientId: 'old', clientSecret: 'old-secret' }, clients), new RegExp(source.name));
      await storeAerisCredentials(source, credentials, clients); // again: replaced, not refused
      if (source.store === 'ssm') {
        const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: source.name }));
        assert.equal(Parameter?.Type, 'SecureString');
      } else {
        const { SecretString } = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: source.name }));
        assert.deepEqual(JSON.parse(SecretString!), credentials);
      }
      const reader = aerisCredentialsReader(source, clients);
      assert.deepEqual(await reader.read(), credentials);
      // Changed behind its back: a warm process keeps what it read at its cold start.
      await storeAerisCredentials(source, { clientId: 'rotated', clientSecret: 'rotated-secret' }, clients);
      assert.deepEqual(await reader.read(), credentials);
      assert.deepEqual(await aerisCredentialsReader(source, clients).read(), { clientId: 'rotated', clientSecret: 'rotated-secret' }, 'a new process reads anew');
    });
  }

  it('names the missing parameter or secret', async () => {
    await assert.rejects(aerisCredentialsReader({ store: 'ssm', name: '/nowhere/aeris' }, clients).read(), /Aeris credentials from SSM parameter \/nowhere\/aeris: ParameterNotFound/);
    await assert.rejects(aerisCredentialsReader({ store: 'secretsmanager', name: 'nowhere/aeris' }, clients).read(), /Aeris credentials from Secrets Manager secret nowhere\/aeris: ResourceNotFoundException/);
  });

  it('says what is wrong with a stored value by field, never repeating the value', async () => {
    const cases: [string, RegExp][] = [
      [`not json ${SECRET}`, /does not hold JSON/],
      [JSON.stringify([SECRET]), /must hold a JSON object/],
      [JSON.stringify({ clientId: 'id', client_secret: SECRET }), /clientSecret must be a non-empty string/],
      [JSON.stringify({ clientId: '', clientSecret: '' }), /clientId and clientSecret must be non-empty strings/],
    ];
    for (const [index, [value, why]] of cases.entries()) {
      const name = `/dataflow-test/bad-${index}`;
      await clients.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString' }));
      await assert.rejects(aerisCredentialsReader({ store: 'ssm', name }, clients).read(), (error: Error) => {
        assert.match(error.message, why);
        assert.ok(error.message.includes(name), `${error.message} names the parameter`);
        assert.ok(!error.message.includes(SECRET), `${error.message} does not repeat the value`);
        return true;
      });
    }
    await assert.rejects(storeAerisCredentials(sources[0]!, { clientId: 'id', clientSecret: ' ' }, clients), /clientSecret must be a non-empty string/);
  });
});

describe('secret sources', () => {
  it('reads ssm: and secretsmanager: sources, and defaults to SSM under the prefix', () => {
    assert.deepEqual(parseSecretSource('ssm:/prod/aeris'), { store: 'ssm', name: '/prod/aeris' });
    assert.deepEqual(parseSecretSource('secretsmanager:prod/aeris'), { store: 'secretsmanager', name: 'prod/aeris' });
    assert.deepEqual(aerisCredentialsSource({ environment: {} }), { store: 'ssm', name: '/dataflow/aeris-credentials' });
    assert.deepEqual(aerisCredentialsSource({ environment: { DATAFLOW_AWS_PREFIX: 'staging' } }), { store: 'ssm', name: '/staging/aeris-credentials' });
    assert.deepEqual(aerisCredentialsSource({ environment: { DATAFLOW_AERIS_CREDENTIALS: 'secretsmanager:x/y' } }), { store: 'secretsmanager', name: 'x/y' });
  });

  it('names a bad source and the setting it came from', () => {
    assert.throws(() => aerisCredentialsSource({ environment: { DATAFLOW_AERIS_CREDENTIALS: 'vault:x' } }), /DATAFLOW_AERIS_CREDENTIALS must be ssm:<parameter name> or secretsmanager:<secret name> \(got "vault:x"\)/);
    assert.throws(() => parseSecretSource('ssm:/a b'), /"\/a b" is not an SSM parameter name/);
    assert.throws(() => aerisCredentialsSource({ environment: { DATAFLOW_AWS_PREFIX: 'has space' } }), /DATAFLOW_AWS_PREFIX must be 1 to 40 letters/);
  });
});
