/**
 * The talk's GIF mail, 5 frames of one imageId, timed as a user sees it: `dataflow send -` fed the
 * 5 did-fetch-amp-image lines, from its start to its exit (after every message they set off has
 * settled: 5 thumbnails, a GIF, a mail). On the embedded runtime the send runs the flow itself; on
 * the cluster runtime a mediator process and one process per worker type, started beforehand, do
 * the work. The two take turns, each turn with a new imageId on the same data folder and schema.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diskBlobStore } from '../src/adapters/disk/blob-store.js';
import { syntheticFrames } from './frames.js';
import { benchDatabaseUrl, dropSchemas, schemaName } from './postgres.js';
import { benchEnv, readyCommand, sendWithDataflow, startDataflow, type DataflowProcess } from './processes.js';
import { median } from './timing.js';

const FRAMES = 5;
const TURNS = 3;
/** The cluster's send at most this many times the embedded one's. */
export const GIF_MAIL_GOAL = 1.25;

export interface GifMailResult {
  size: string;
  embedded: number[];
  cluster: number[];
}

/** Times the mail at each frame size; the first size is the flow's default map (800x600). */
export async function gifMailBench(sizes: { width: number; height: number }[] = [{ width: 800, height: 600 }, { width: 64, height: 48 }]): Promise<GifMailResult[]> {
  await readyCommand();
  const results: GifMailResult[] = [];
  for (const size of sizes) results.push(await atSize(size.width, size.height));
  console.log(`\n## Cluster: the ${FRAMES}-frame GIF mail, dataflow send from its start to its exit, beside the embedded runtime\n`);
  console.log(
    `  ${FRAMES} did-fetch-amp-image lines of a new imageId each turn; embedded: the send runs the flow itself; cluster: a mediator and one process per worker type ` +
      `already running. ${TURNS} turns each, taking turns; median seconds, and the median of each turn's ratio.\n`,
  );
  console.log('| frames | embedded send (s) | cluster send (s) | cluster / embedded | goal |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of results) {
    const ratios = r.cluster.map((c, i) => c / r.embedded[i]!);
    const ratio = median(ratios);
    console.log(
      `| ${FRAMES} x ${r.size} | ${median(r.embedded).toFixed(2)} | ${median(r.cluster).toFixed(2)} | ${ratio.toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(', ')}) | ` +
        `at most ${GIF_MAIL_GOAL}: ${ratio <= GIF_MAIL_GOAL ? 'met' : 'not met'} |`,
    );
  }
  return results;
}

async function atSize(width: number, height: number): Promise<GifMailResult> {
  const { frames } = await syntheticFrames(FRAMES, width, height);
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-bench-gif-mail-'));
  const schema = schemaName('dataflow_bench_mail');
  // The embedded runtime keeps its blobs in its data folder; the cluster's processes share a folder.
  const embeddedEnv = benchEnv({ DATAFLOW_DIR: join(dir, 'embedded') });
  const clusterEnv = benchEnv({ DATAFLOW_BLOBS: pathToFileURL(join(dir, 'blobs')).href, DATAFLOW_DIR: join(dir, 'cluster'), DATABASE_URL: benchDatabaseUrl, DATAFLOW_SCHEMA: schema });
  const blobsOf = { embedded: diskBlobStore(join(dir, 'embedded', 'blobs')), cluster: diskBlobStore(join(dir, 'blobs')) };
  const processes: DataflowProcess[] = [];
  const result: GifMailResult = { size: `${width}x${height}`, embedded: [], cluster: [] };
  try {
    const mediator = startDataflow(['mediator'], clusterEnv);
    processes.push(mediator);
    await mediator.waitFor('waiting for messages'); // migrates the schema before the workers start
    for (const type of ['thumbnail-creator', 'gif-creator', 'email-sender']) processes.push(startDataflow([`worker:${type}`], clusterEnv));
    await Promise.all(processes.map((p) => p.waitFor('waiting for messages')));
    const T0 = Date.UTC(2017, 5, 1, 16);
    const lines = async (runtime: keyof typeof blobsOf, imageId: string) => {
      const messages = [];
      for (const [f, png] of frames.entries()) {
        const location = { Bucket: 'dataflow', Key: `amp-image-fetcher/${imageId}/${f}.png` };
        await blobsOf[runtime].put(location, png);
        messages.push({ type: 'did-fetch-amp-image', imageId, validTime: T0 + f * 600_000, location });
      }
      return messages;
    };
    const timed = async (runtime: keyof typeof blobsOf, env: NodeJS.ProcessEnv, imageId: string) => {
      const sent = await sendWithDataflow(await lines(runtime, imageId), env);
      const mails = sent.stdout.split('\n').filter((line) => line.includes('"did-send-email"')).length;
      if (sent.code !== 0 || mails !== 1) throw new Error(`the ${runtime} send of ${imageId} exited ${sent.code} with ${mails} mail(s) done:\n${sent.stderr.slice(-3000)}`);
      return sent.seconds;
    };
    await timed('embedded', embeddedEnv, 'warm-up-embedded');
    await timed('cluster', clusterEnv, 'warm-up-cluster');
    for (let turn = 0; turn < TURNS; turn++) {
      result.embedded.push(await timed('embedded', embeddedEnv, `embedded-${turn}`));
      result.cluster.push(await timed('cluster', clusterEnv, `cluster-${turn}`));
    }
    return result;
  } catch (error) {
    const outputs = processes.map((p) => `--- dataflow run ${p.roles.join(' ')}:\n${p.output().slice(-2000)}`).join('\n');
    throw new Error(`${(error as Error).message}\n${outputs}`, { cause: error });
  } finally {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await dropSchemas([schema, `${schema}_queue`]);
    await rm(dir, { recursive: true, force: true });
  }
}
