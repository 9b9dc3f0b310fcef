/**
 * The embedded runtime's data-folder lock, across real processes: one holder at a time, freed by
 * the operating system when its holder dies, whatever PID the next process gets.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./folder-lock-child.ts', import.meta.url));
const required = process.env.DATAFLOW_REQUIRE_SERVICES === '1';

/** Every child still running: a failed assertion must not leave a holder behind. */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

interface Child {
  process: ChildProcess;
  /** The next line the child prints. */
  line(): Promise<string>;
  exited: Promise<number | null>;
}

function start(dir: string, prefix: string[] = []): Child {
  const [command, ...args] = [...prefix, process.execPath, '--conditions=source', '--import', 'tsx', CHILD, dir];
  // stderr is kept, not shown: unshare warns when its child is killed.
  const child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  running.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (running.delete(child), resolve(code))));
  return {
    process: child,
    exited,
    async line() {
      const next = await lines.next();
      if (next.done) throw new Error(`the child exited without a word: ${stderr}`);
      return next.value;
    },
  };
}

/** Starts a child, lets it try the lock at once, and answers what it printed. */
async function attempt(dir: string, prefix: string[] = []): Promise<{ child: Child; answer: string }> {
  const child = start(dir, prefix);
  assert.equal(await child.line(), 'ready');
  child.process.stdin!.write('go\n');
  return { child, answer: await child.line() };
}

async function release(child: Child): Promise<void> {
  child.process.stdin!.end();
  await child.exited;
}

const IN_NAMESPACE = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];

/** Why a new PID namespace cannot be made here (not root, no unshare), or undefined. */
function namespaceProblem(): string | undefined {
  const probe = spawnSync(IN_NAMESPACE[0]!, [...IN_NAMESPACE.slice(1), 'sh', '-c', 'echo $$'], { encoding: 'utf8' });
  if (probe.status === 0 && probe.stdout.trim() === '1') return undefined;
  const reason = `cannot make a PID namespace with unshare (${probe.error?.message ?? probe.stderr.trim()})`;
  if (required) throw new Error(`${reason}; DATAFLOW_REQUIRE_SERVICES=1 makes this a failure`);
  return `${reason} (set DATAFLOW_REQUIRE_SERVICES=1 to fail instead)`;
}

/** The host PID of the one process that `unshare --fork` started. */
async function forkedChild(unshare: ChildProcess): Promise<number> {
  const children = await readFile(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8');
  const pids = children.trim().split(/\s+/).map(Number);
  assert.equal(pids.length, 1, `unshare has one child, not ${children}`);
  return pids[0]!;
}

describe('the data-folder lock', () => {
  it('refuses a second process while the first holds the folder, naming the folder and what to do', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-lock-'));
    const first = await attempt(dir);
    assert.equal(first.answer, `locked ${first.child.process.pid}`);
    const second = await attempt(dir);
    assert.match(second.answer, /^refused /);
    assert.ok(second.answer.includes(`the data folder ${dir} is in use by dataflow process ${first.child.process.pid}`), second.answer);
    assert.match(second.answer, /DATAFLOW_DIR/);
    assert.match(second.answer, /DATABASE_URL/);
    await second.child.exited;
    await release(first.child);
    const third = await attempt(dir);
    assert.match(third.answer, /^locked /, 'a holder that let go frees the folder');
    await release(third.child);
  });

  it('is free again after its holder is killed with SIGKILL, even when the next process gets the same PID', { skip: namespaceProblem() }, async () => {
    // In a container the process is PID 1 after every restart: a recorded PID is then always "alive".
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-lock-'));
    const holder = await attempt(dir, IN_NAMESPACE);
    assert.equal(holder.answer, 'locked 1');
    process.kill(await forkedChild(holder.child.process), 'SIGKILL');
    await holder.child.exited;

    const restarted = await attempt(dir, IN_NAMESPACE);
    assert.equal(restarted.answer, 'locked 1', 'the restarted process gets the folder');
    await release(restarted.child);
  });

  it('gives the folder to exactly one of 50 processes starting at the same moment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dataflow-lock-'));
    const children = Array.from({ length: 50 }, () => start(dir));
    for (const child of children) assert.equal(await child.line(), 'ready');
    for (const child of children) child.process.stdin!.write('go\n');
    const answers = await Promise.all(children.map((child) => child.line()));
    const winners = answers.filter((answer) => answer.startsWith('locked '));
    assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
    for (const answer of answers.filter((a) => !a.startsWith('locked '))) assert.match(answer, /^refused the data folder .* is in use/);
    await Promise.all(children.map(release));
  });
});
