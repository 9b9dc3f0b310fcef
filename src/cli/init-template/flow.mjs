// A starter flow. A worker tidies a text; the mediator, which holds the flow's decisions, asks a
// second worker to count its words; that one writes a report to shared storage and says where.
// Workers do one thing and know nothing else; the mediator decides. Make it your own.
import { defineFlow, defineMediator, defineMessage, defineWorker, message, when } from 'dataflow';

// A message's schema is any Standard Schema (zod, valibot, ArkType, …). This one is written out
// by hand, so the starter needs nothing but dataflow: it checks the type of each field.
const fields = (types) => ({
  '~standard': {
    version: 1,
    vendor: 'starter',
    validate(value) {
      const issues = Object.entries(types)
        .filter(([field, type]) => typeof value?.[field] !== type)
        .map(([field, type]) => ({ message: `expected a ${type}`, path: [field] }));
      return issues.length > 0 ? { issues } : { value };
    },
  },
});

export const PleaseTidyText = defineMessage('please-tidy-text', fields({ text: 'string' }));
export const DidTidyText = defineMessage('did-tidy-text', fields({ text: 'string' }));
export const PleaseCountWords = defineMessage('please-count-words', fields({ text: 'string' }));
export const DidCountWords = defineMessage('did-count-words', fields({ words: 'number', report: 'object' }));

const tidier = defineWorker({
  name: 'text-tidier',
  accepts: PleaseTidyText,
  replies: DidTidyText,
  async handle({ text }) {
    return { text: text.trim().replace(/\s+/g, ' ') };
  },
});

const counter = defineWorker({
  name: 'word-counter',
  accepts: PleaseCountWords,
  replies: DidCountWords,
  async handle({ id, text }, { blobs }) {
    const words = text === '' ? 0 : text.split(' ').length;
    // Files go to shared storage, under the worker's own prefix; messages carry where, not bytes.
    const report = await blobs.put(`${id}.txt`, Buffer.from(`${words} word(s): ${text}\n`), { contentType: 'text/plain' });
    return { words, report };
  },
});

const mediator = defineMediator({
  name: 'mediator',
  rules: [when(DidTidyText, async ({ text }) => [message(PleaseCountWords, { text })])],
});

export default defineFlow({ name: 'starter', workers: [tidier, counter], mediator, messages: [DidCountWords] });
