import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mapBounded } from '../../src/core/bounded.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('runs a few at once, keeps the order, and after a failure starts nothing new and waits for those running', async () => {
  let running = 0;
  let most = 0;
  const doubled = await mapBounded([5, 1, 4, 2, 3], 2, async (n) => {
    most = Math.max(most, ++running);
    await pause(n);
    running--;
    return n * 2;
  });
  assert.deepEqual(doubled, [10, 2, 8, 4, 6]);
  assert.equal(most, 2);

  const started: number[] = [];
  let slowEnded = false;
  await assert.rejects(
    mapBounded([1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) {
        await pause(30);
        slowEnded = true;
        return n;
      }
      throw new Error(`no ${n}`);
    }),
    /no 2/,
  );
  assert.equal(slowEnded, true, 'the call still running had ended when the failure was thrown');
  assert.deepEqual(started, [1, 2], 'nothing started after the failure');
});
