/** Where EMF lines go: stdout in Lambda, nowhere when hosted locally unless DATAFLOW_EMF asks. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { emfDestination, emfWriter } from '../../src/observability/emf-destination.js';
import { readAwsSettings } from '../../src/runtimes/aws/settings.js';

describe('the EMF destination', () => {
  it('is stdout in Lambda and none elsewhere, unless DATAFLOW_EMF says stdout, off or a file', () => {
    assert.deepEqual(emfDestination(undefined, { inLambda: true }), { to: 'stdout' });
    assert.equal(emfDestination(undefined, { inLambda: false }), undefined);
    assert.equal(emfDestination('off', { inLambda: true }), undefined);
    assert.deepEqual(emfDestination('stdout', { inLambda: false }), { to: 'stdout' });
    assert.deepEqual(emfDestination('logs/emf.jsonl', { inLambda: false, cwd: '/srv/app' }), { to: 'file', path: '/srv/app/logs/emf.jsonl' });
  });

  it('is read with the AWS runtime settings, from the function environment', () => {
    const base = { DATAFLOW_AWS_PREFIX: 'dev' };
    assert.deepEqual(readAwsSettings({ ...base, AWS_LAMBDA_FUNCTION_NAME: 'dev-mediator' }).emf, { to: 'stdout' });
    assert.equal(readAwsSettings(base).emf, undefined, 'the local host prints no EMF unless asked');
    assert.equal(readAwsSettings({ ...base, AWS_LAMBDA_FUNCTION_NAME: 'dev-mediator', DATAFLOW_EMF: 'off' }).emf, undefined);
  });

  it('appends whole lines to a file only its owner reads, making its folder', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'dataflow-emf-')), 'deeper', 'emf.jsonl');
    const write = emfWriter({ to: 'file', path });
    write('{"a":1}');
    write('{"b":2}');
    assert.equal(await readFile(path, 'utf8'), '{"a":1}\n{"b":2}\n');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });
});
