import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertSafeLocation, compactTime, keySegment } from '../../src/index.js';
import { ampImageUrl, ampTime, parseAmpDate } from '../../examples/weather/amp-url.js';

describe('blob keys from user text', () => {
  const ids = ['temps', 'Temps', 'OSN 2017 Demo', 'a/b', 'a_b', '../../etc/passwd', '..', '.', 'Zürich ☔ radar', 'zurich radar', '東京', '', ' ', 'a'.repeat(300)];

  it('are safe segments for every store', () => {
    for (const id of ids) {
      const segment = keySegment(id);
      assert.match(segment, /^[a-z0-9-]+$/, JSON.stringify(id));
      assert.ok(segment.length <= 60);
      assertSafeLocation({ Bucket: 'dataflow', Key: `amp-image-fetcher/${segment}/x.png` });
    }
  });

  it('are distinct for distinct text, even where only case or punctuation differs', () => {
    const segments = ids.map(keySegment);
    assert.equal(new Set(segments).size, ids.length);
    assert.equal(keySegment('OSN 2017 Demo'), keySegment('OSN 2017 Demo'), 'and stable');
  });
});

describe('AMP URLs and times', () => {
  it('builds the talk\'s URL scheme', () => {
    const url = ampImageUrl('https://maps.aerisapi.com/', { clientId: 'id', clientSecret: 'secret' }, {
      layers: ['flat', 'temperatures:80', 'admin'],
      width: 1200,
      height: 800,
      center: 'el dorado,ar',
      zoom: 6,
      validTime: 1496332800,
    });
    assert.equal(url, 'https://maps.aerisapi.com/id_secret/flat,temperatures:80,admin/1200x800/el%20dorado,ar,6/20170601160000.png');
  });

  it('passes relative times through and turns epoch seconds or ms into YYYYMMDDhhmmss', () => {
    assert.equal(ampTime('-30m'), '-30m');
    assert.equal(ampTime('-0h'), '-0h');
    assert.equal(ampTime(1496332800), '20170601160000');
    assert.equal(ampTime(1496332800000), '20170601160000');
    assert.equal(compactTime(Date.UTC(2017, 5, 1, 16)), '20170601160000');
  });

  it('reads valid dates in the forms AMP and others send', () => {
    const t = Date.UTC(2017, 5, 1, 16);
    assert.equal(parseAmpDate('2017-06-01T16:00:00Z'), t);
    assert.equal(parseAmpDate('2017-06-01T16:00:00+00:00'), t);
    assert.equal(parseAmpDate('20170601160000'), t);
    assert.equal(parseAmpDate('1496332800'), t);
    assert.equal(parseAmpDate('not a date'), undefined);
    assert.equal(parseAmpDate(null), undefined);
  });
});
