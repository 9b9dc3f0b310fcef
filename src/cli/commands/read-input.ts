import { readFile } from 'node:fs/promises';

/**
 * Reads messages from a file or stdin (`-`): one JSON message, a JSON array of them, or JSON
 * lines. A line that is not JSON is kept as its text, so the flow can dead-letter it with a reason.
 */
export async function readMessages(source: string): Promise<unknown[]> {
  const text = source === '-' ? await readStdin() : await readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${source}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const trimmed = text.trim();
  if (trimmed === '') throw new Error(`${source === '-' ? 'stdin' : source} holds no message`);
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return trimmed
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return line;
        }
      });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
