/** A flow's cron as EventBridge reads it, and the crons EventBridge cannot say, refused by name. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventBridgeCron } from '../../src/deploy/aws/eventbridge-cron.js';

describe('eventBridgeCron', () => {
  it('writes steps from a first value, a ? for the day left free, and every year', () => {
    assert.equal(eventBridgeCron('*/7 * * * *'), 'cron(0/7 * * * ? *)');
    assert.equal(eventBridgeCron('0 */2 * * *'), 'cron(0 0/2 * * ? *)');
    assert.equal(eventBridgeCron('15 10 1 * *'), 'cron(15 10 1 * ? *)');
    assert.equal(eventBridgeCron('0 0 */3 * *'), 'cron(0 0 1/3 * ? *)');
  });

  it('names the days of the week, Sunday 0 or 7, as EventBridge counts them differently (1 is Sunday)', () => {
    assert.equal(eventBridgeCron('0 18 * * 1-5'), 'cron(0 18 ? * MON-FRI *)');
    assert.equal(eventBridgeCron('0 9 * * 0,6'), 'cron(0 9 ? * SUN,SAT *)');
    assert.equal(eventBridgeCron('0 9 * * 7'), 'cron(0 9 ? * SUN *)');
    assert.equal(eventBridgeCron('0 9 * * 5#3'), 'cron(0 9 ? * FRI#3 *)');
    assert.equal(eventBridgeCron('0 9 * * mon'), 'cron(0 9 ? * MON *)');
  });

  it('takes six fields when the seconds are 0', () => {
    assert.equal(eventBridgeCron('0 */7 * * * *'), 'cron(0/7 * * * ? *)');
  });

  it('refuses what EventBridge cannot fire, naming why', () => {
    assert.throws(() => eventBridgeCron('*/30 * * * * *'), /at most once a minute/);
    assert.throws(() => eventBridgeCron('0 0 1 * 1'), /both a day of the month and a day of the week/);
    assert.throws(() => eventBridgeCron('* * *'), /five fields/);
    assert.throws(() => eventBridgeCron('@hourly'), /five fields/);
    assert.throws(() => eventBridgeCron('0 0 * * */2'), /no step/);
    assert.throws(() => eventBridgeCron('0 0 * * 5-0'), /past Saturday/);
    assert.throws(() => eventBridgeCron('0 0 * * 8'), /no day of the week/);
  });
});
