/**
 * A real /metrics scrape, after a flow ran, passes `promtool check metrics` (Debian's `prometheus`
 * package ships promtool). Without promtool the test is skipped with the reason, unless
 * DATAFLOW_REQUIRE_SERVICES=1 (set by CI), when it fails instead.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { it } from 'node:test';
import type { MessageBrowser } from '../../src/index.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { testDashboard } from '../dashboard/support.js';
import { toyRuntime } from '../support/toy-flow.js';

function promtoolMissing(): string | false {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  if (!found.error && found.status === 0) return false;
  const reason = 'promtool is not installed (apt-get install prometheus)';
  if (process.env.DATAFLOW_REQUIRE_SERVICES === '1') throw new Error(`${reason}; DATAFLOW_REQUIRE_SERVICES=1 makes this a failure`);
  return `${reason} (set DATAFLOW_REQUIRE_SERVICES=1 to fail instead)`;
}

function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = execFile('promtool', ['check', 'metrics'], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
    child.stdin!.end(text);
  });
}

it('a real /metrics scrape passes promtool check metrics', { skip: promtoolMissing() }, async () => {
  const { runtime } = await toyRuntime();
  const state = runtime.state as typeof runtime.state & MessageBrowser;
  const metrics = createMetrics({ flow: runtime.flow, browser: state });
  runtime.on(metrics.listen);
  const dashboard = await testDashboard({ state, flow: runtime.flow, metrics });
  try {
    await runtime.send([{ type: 'please-double', n: 1 }, { type: 'please-double', n: 2, fail: 'always' }]);
    await runtime.idle();
    const response = await fetch(`${dashboard.url}metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /dataflow_messages_total\{/, 'the scrape has the flow series to lint');
    assert.match(text, /dataflow_dead_letters\{/);
    const { code, output } = await promtoolCheck(text);
    assert.equal(code, 0, `promtool check metrics:\n${output}`);
  } finally {
    await dashboard.close();
    await runtime.stop();
  }
});
