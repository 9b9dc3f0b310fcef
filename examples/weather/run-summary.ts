/** Tracks what a weather run made (frames, thumbnails, GIFs, mails), to tell a person where each output is. */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobStore, FlowEvent, Location, Message, RunReport, RunReportContext } from 'dataflow';

export interface RunSummary {
  frames: string[];
  thumbnails: string[];
  gifs: string[];
  emails: string[];
  dead: { id: string; type: string; reason: string }[];
}

/** Collects what a run made from its events; `summary()` says where each output is. */
export function trackOutputs(blobs: BlobStore, outboxFolder: string) {
  const made: Record<'frames' | 'thumbnails' | 'gifs', Location[]> = { frames: [], thumbnails: [], gifs: [] };
  const mailIds: string[] = [];
  const dead: RunSummary['dead'] = [];
  const blobPath = async (location: Location) => {
    const url = await blobs.url(location);
    return url.startsWith('file:') ? fileURLToPath(url) : url;
  };
  const listen = (event: FlowEvent) => {
    if (event.kind === 'dead') dead.push({ id: event.id, type: event.type, reason: event.reason });
    if (event.kind !== 'done') return;
    for (const sent of event.sent) collect(sent);
  };
  const collect = (message: Message) => {
    const location = message.location as Location | undefined;
    if (message.type === 'did-fetch-amp-image' && location) made.frames.push(location);
    if (message.type === 'did-create-thumbnail' && location) made.thumbnails.push(location);
    if (message.type === 'did-create-gif' && location) made.gifs.push(location);
    if (message.type === 'did-send-email' && typeof message.messageId === 'string') mailIds.push(message.messageId);
  };
  const summary = async (): Promise<RunSummary> => {
    const outbox = await readdir(outboxFolder).catch(() => [] as string[]);
    const emails = mailIds.map((id) => {
      const file = outbox.find((name) => name.includes(id.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '')));
      return file ? join(outboxFolder, file) : `sent over SMTP as ${id}`;
    });
    const paths = (locations: Location[]) => Promise.all(locations.map(blobPath));
    return { frames: await paths(made.frames), thumbnails: await paths(made.thumbnails), gifs: await paths(made.gifs), emails, dead };
  };
  return { listen, summary };
}

export function describeSummary(summary: RunSummary): string {
  const here = (path: string) => (path.startsWith('/') ? relative(process.cwd(), path) || '.' : path);
  const list = (title: string, items: string[]) => {
    if (items.length === 0) return [`${title}: none`];
    const folders = [...new Set(items.map((p) => here(p).split('/').slice(0, -1).join('/')))];
    return [`${title} (${items.length}):`, ...(folders.length === 1 && items.length > 3 ? [`  ${folders[0]}/`] : items.map((p) => `  ${here(p)}`))];
  };
  return [
    ...list('frames', summary.frames),
    ...list('thumbnails', summary.thumbnails),
    ...list('GIFs', summary.gifs),
    ...list('emails', summary.emails),
    ...(summary.dead.length ? [`dead letters (${summary.dead.length}), see \`dataflow failed\`:`, ...summary.dead.map((d) => `  ${d.type} ${d.id}: ${d.reason}`)] : []),
  ].join('\n');
}

/** The weather flow's report of a `run --once`: where its frames, thumbnails, GIFs and mails are. */
export function weatherRunReport({ blobs, outbox }: RunReportContext): RunReport {
  const outputs = trackOutputs(blobs, outbox ?? '');
  return {
    listen: outputs.listen,
    async summary() {
      const summary = await outputs.summary();
      return { record: { ...summary }, text: `${describeSummary(summary)}\n\nsee the flow, the GIFs and every message in the dashboard: npx dataflow dashboard` };
    },
  };
}
