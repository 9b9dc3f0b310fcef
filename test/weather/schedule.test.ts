import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultWeatherConfig } from '../../examples/weather/config.js';
import { fetchRound, weatherSchedule } from '../../examples/weather/schedule.js';
import { startFlowSchedule } from '../../src/runtimes/flow-schedule.js';

describe('the schedule', () => {
  it('asks for every configured map at every configured valid time each round', () => {
    const round = fetchRound(defaultWeatherConfig.schedule.maps);
    assert.equal(round.length, 5);
    assert.deepEqual(round.map((m) => m.validTime), ['-40m', '-30m', '-20m', '-10m', '-0m']);
    assert.ok(round.every((m) => m.type === 'please-fetch-amp-image' && m.imageId === 'OSN 2017 Demo' && !('validTimes' in m)));
  });

  it('sends a round on each tick of its cron expression', async () => {
    const rounds: unknown[][] = [];
    const schedule = startFlowSchedule(weatherSchedule({ cron: '* * * * * *', maps: defaultWeatherConfig.schedule.maps }), async (m) => rounds.push(m), assert.fail);
    try {
      assert.ok(schedule.nextRun() instanceof Date);
      const deadline = Date.now() + 3500;
      while (rounds.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(rounds.length >= 2, `two rounds in 3.5 s of a every-second schedule, got ${rounds.length}`);
      assert.equal(rounds[0]!.length, 5);
    } finally {
      schedule.stop();
    }
  });

  it('refuses a malformed cron expression', () => {
    assert.throws(() => startFlowSchedule(weatherSchedule({ cron: 'every 7 minutes', maps: [] }), async () => {}, () => {}));
  });
});
