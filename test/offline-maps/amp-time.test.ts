import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatCompactTime,
  formatHeaderDate,
  parseAmpTime,
  snapToFrame,
} from '../../examples/weather/offline-maps/amp-time.js';
import { MapRequestError } from '../../examples/weather/offline-maps/errors.js';

describe('AMP time segments', () => {
  it('parses relative offsets', () => {
    const rel = (text: string) => {
      const t = parseAmpTime(text);
      assert.equal(t.kind, 'relative', text);
      return t.kind === 'relative' ? t.offsetMs : NaN;
    };
    assert.equal(rel('-30m'), -30 * 60_000);
    assert.equal(rel('-0h'), 0);
    assert.equal(rel('+1h'), 3_600_000);
    assert.equal(rel('-2hours'), -7_200_000);
    assert.equal(rel('-10minutes'), -600_000);
    assert.equal(rel('-1d'), -86_400_000);
    for (const now of ['now', 'current', 'latest', '0']) assert.equal(rel(now), 0);
  });

  it('parses absolute times', () => {
    const abs = (text: string) => {
      const t = parseAmpTime(text);
      assert.equal(t.kind, 'absolute', text);
      return t.kind === 'absolute' ? t.time : NaN;
    };
    assert.equal(abs('20170601195704'), Date.UTC(2017, 5, 1, 19, 57, 4));
    assert.equal(abs('20170601160000_20170601160000'), Date.UTC(2017, 5, 1, 16));
    assert.equal(abs('2345678910'), 2_345_678_910_000);
    assert.equal(abs('1496347200000'), 1_496_347_200_000);
    assert.equal(abs('2017-06-01T16:00:00Z'), Date.UTC(2017, 5, 1, 16));
  });

  it('rejects nonsense', () => {
    for (const bad of ['yesterday', '-30parsecs', '20171301000000', '20170631000000', '', '12:00']) {
      assert.throws(() => parseAmpTime(bad), (e: unknown) => e instanceof MapRequestError && e.code === 'invalid_time', bad);
    }
  });

  it('formats and snaps', () => {
    const t = Date.UTC(2017, 5, 1, 19, 57, 4, 500);
    assert.equal(formatCompactTime(t), '20170601195704');
    assert.equal(formatHeaderDate(t), '2017-06-01T19:57:04Z');
    assert.equal(snapToFrame(t, 600_000), Date.UTC(2017, 5, 1, 19, 50));
  });
});
