/**
 * The code blocks of a Markdown text marked with the file they show: `<!-- file: path -->` (the
 * block is the whole file) or `<!-- from: path -->` (a run of its lines), on the line right
 * before the block's opening fence. The marks are HTML comments, so a rendered README hides them.
 */
export interface Snippet {
  kind: 'file' | 'from';
  /** The file's path from the repository's root. */
  path: string;
  /** The mark's line, from 1. */
  line: number;
  /** The block's text, each line ending with a newline. */
  code: string;
}

const MARK = /^<!-- ([a-z]+): ([\w./-]+) -->$/;

export function markedSnippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const mark = MARK.exec(lines[i]!);
    if (!mark) continue;
    const [text, kind, path] = mark as unknown as [string, string, string];
    const where = `line ${i + 1}`;
    if (kind !== 'file' && kind !== 'from') throw new Error(`${where}: unknown mark ${JSON.stringify(kind)}; use <!-- file: path --> or <!-- from: path -->`);
    const fence = /^(`{3,})/.exec(lines[i + 1] ?? '')?.[1];
    if (!fence) throw new Error(`${where}: ${text} is not followed by a fenced code block`);
    const close = lines.findIndex((line, j) => j > i + 1 && line === fence);
    if (close === -1) throw new Error(`${where}: the code block after ${text} is never closed`);
    snippets.push({ kind, path, line: i + 1, code: lines.slice(i + 2, close).map((line) => `${line}\n`).join('') });
    i = close;
  }
  return snippets;
}
