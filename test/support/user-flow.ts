/**
 * A user's project for tests: a temporary folder whose flow files import the framework by its
 * package name, `dataflow`, as they would once it is installed. Its node_modules links to this
 * repository (run with the `source` condition, `dataflow` resolves to src/) and to zod.
 */
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

export async function userProject(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dataflow-user-'));
  await mkdir(join(dir, 'node_modules'));
  await symlink(repo, join(dir, 'node_modules', 'dataflow'), 'dir');
  await symlink(join(repo, 'node_modules', 'zod'), join(dir, 'node_modules', 'zod'), 'dir');
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** The doubling flow: `please-double` asks a worker for twice a number, which it also stores as a blob. */
export const doublingFlow = `
import { z } from 'zod';
import { defineFlow, defineMediator, defineMessage, defineWorker } from 'dataflow';

const PleaseDouble = defineMessage('please-double', z.object({ n: z.number() }));
const DidDouble = defineMessage('did-double', z.object({ n: z.number(), result: z.number() }));

export const doubler = (factor = 2) =>
  defineWorker({
    name: 'doubler',
    accepts: PleaseDouble,
    replies: DidDouble,
    async handle({ n }, { blobs }) {
      await blobs.put('n-' + n + '-times-' + factor + '.txt', Buffer.from(String(n * factor)));
      return { n, result: n * factor };
    },
  });

export default defineFlow({ name: 'doubling', workers: [doubler()], mediator: defineMediator({ name: 'mediator', rules: [] }) });
`;
