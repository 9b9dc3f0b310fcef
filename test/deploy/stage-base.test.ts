/** `--name` is checked by the AWS prefix's own rule, with room for every stage after it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { awsPrefix } from '../../src/adapters/aws/prefix.js';
import { checkedStageBase, STAGES, stageSettings } from '../../src/deploy/aws/stages.js';

describe('a stage base name', () => {
  it('is taken when every stage makes a valid prefix of it', () => {
    const longest = 'n'.repeat(32);
    assert.equal(checkedStageBase(longest, '--name'), longest);
    for (const stage of STAGES) assert.equal(awsPrefix(stageSettings(stage, longest).prefix), `${longest}-${stage}`);
  });

  it('is refused, named as asked, with the length it may have and why', () => {
    assert.throws(() => checkedStageBase('n'.repeat(33), '--name'), /^Error: --name must be 1 to 32 letters, digits, '-' or '_', starting with a letter or digit, to leave room for "-staging" \(got "n{33}"\)$/);
    for (const bad of ['no spaces', '-dash-first', '']) assert.throws(() => checkedStageBase(bad, '--name'), /--name must be 1 to 32 letters/);
  });
});
