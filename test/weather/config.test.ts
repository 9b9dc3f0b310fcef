import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readConfigFile } from '../../src/cli/config-file.js';
import { defaultWeatherConfig, loadWeatherConfig } from '../../examples/weather/config.js';

describe('the weather flow config', () => {
  it('has documented defaults: 200x200 thumbnails, 5 frames per GIF, 250 ms, looping, every 7 minutes', () => {
    const config = loadWeatherConfig({ environment: {} });
    assert.deepEqual(config.thumbnail, { width: 200, height: 200 });
    assert.equal(config.framesPerGif, 5);
    assert.equal(config.gifDelayMs, 250);
    assert.equal(config.gifLoop, true);
    assert.equal(config.schedule.cron, '*/7 * * * *');
    assert.equal(config.schedule.maps[0]!.validTimes.length, 5);
  });

  it('takes the file over the defaults and the environment over the file, key by key', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'dataflow-config-')), 'dataflow.config.json');
    await writeFile(file, JSON.stringify({ framesPerGif: 3, gifDelayMs: 100, email: { to: ['file@example.com'], subject: 'From the file' } }));
    const { values } = readConfigFile(file);
    const config = loadWeatherConfig({
      values,
      file,
      environment: { DATAFLOW_GIF_DELAY_MS: '500', DATAFLOW_EMAIL_TO: 'a@example.com, b@example.com', DATAFLOW_THUMBNAIL_SIZE: '100x80', DATAFLOW_GIF_LOOP: 'false' },
    });
    assert.equal(config.framesPerGif, 3, 'from the file');
    assert.equal(config.gifDelayMs, 500, 'the environment wins');
    assert.deepEqual(config.email.to, ['a@example.com', 'b@example.com']);
    assert.equal(config.email.subject, 'From the file');
    assert.equal(config.email.from, defaultWeatherConfig.email.from, 'untouched keys keep their default');
    assert.deepEqual(config.thumbnail, { width: 100, height: 80 });
    assert.equal(config.gifLoop, false);
  });

  it('names what is wrong', async () => {
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_FRAMES_PER_GIF: 'five' } }), /DATAFLOW_FRAMES_PER_GIF must be a whole number, got "five"/);
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_THUMBNAIL_SIZE: '200' } }), /DATAFLOW_THUMBNAIL_SIZE must look like 200x200/);
    assert.throws(() => loadWeatherConfig({ environment: { DATAFLOW_EMAIL_TO: 'not-an-address' } }), /email\.to\.0/);
    assert.throws(() => loadWeatherConfig({ environment: {}, overrides: { framesPerGif: 0 } }), /framesPerGif/);
    assert.throws(() => readConfigFile('/nonexistent/dataflow.config.json'), /cannot read the config file \/nonexistent\/dataflow.config.json: no such file/);
    assert.throws(() => loadWeatherConfig({ values: { framesPerGif: 'five' }, file: 'mine.json', environment: {} }), /invalid weather flow config \(file mine.json\): framesPerGif/);
  });

  it('refuses a DATAFLOW_PUBLIC_URL with a password, never repeating it, also when the password holds a /', () => {
    for (const publicUrl of ['https://user:pa/ss-word-7q@weather.example.com', 'https://user:12/ss-word-7q@weather.example.com', 'https://user:ss-word-7q@weather.example.com']) {
      assert.throws(
        () => loadWeatherConfig({ environment: { DATAFLOW_PUBLIC_URL: publicUrl } }),
        (error: Error) => /^DATAFLOW_PUBLIC_URL /.test(error.message) && !/ss-word|pa\/|12\//.test(error.message),
        publicUrl,
      );
    }
  });
});
