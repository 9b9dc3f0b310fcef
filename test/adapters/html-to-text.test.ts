import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlToText } from '../../src/adapters/mail/html-to-text.js';

describe('htmlToText (the text/plain part of a mail)', () => {
  it('keeps the words, one block a paragraph, links with their address, images by their alt text', () => {
    const html = [
      '<h1>OSN 2017 Demo &amp; friends</h1>',
      '<p>5 frames, valid 2017-06-01 16:00 UTC&nbsp;to 2017-06-01 16:40 UTC.</p>',
      '<p><img src="cid:gif.1@dataflow" alt="the GIF" width="400"></p>',
      '<p><img src="cid:t1"> <a href="cid:gif.1@dataflow">inline</a></p>',
      '<p><a href="https://weather.example.com/blobs/dataflow/a.gif?x=1&amp;y=2">Open the GIF</a><br>Bye &#8212; &#x263A;</p>',
      '<style>p { color: red }</style>',
    ].join('\n');
    assert.equal(
      htmlToText(html),
      'OSN 2017 Demo & friends\n\n5 frames, valid 2017-06-01 16:00 UTC to 2017-06-01 16:40 UTC.\n\n[the GIF]\n\ninline\n\nOpen the GIF: https://weather.example.com/blobs/dataflow/a.gif?x=1&y=2\nBye — ☺\n',
    );
  });
});
