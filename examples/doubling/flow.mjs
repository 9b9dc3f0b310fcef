// A flow with no images: a worker doubles numbers, the mediator pairs the results as they come
// in, and a second worker sums each pair. The final `did-sum` is only recorded.
import { z } from 'zod';
import { defineFlow, defineMediator, defineMessage, defineWorker, message, when } from 'dataflow';

export const PleaseDouble = defineMessage('please-double', z.object({ n: z.number() }));
export const DidDouble = defineMessage('did-double', z.object({ n: z.number(), doubled: z.number() }));
export const PleaseSum = defineMessage('please-sum', z.object({ numbers: z.array(z.number()) }));
export const DidSum = defineMessage('did-sum', z.object({ numbers: z.array(z.number()), total: z.number() }));

const doubler = defineWorker({
  name: 'doubler',
  accepts: PleaseDouble,
  replies: DidDouble,
  async handle({ n }) {
    return { n, doubled: n * 2 };
  },
});

// Workers write their results to shared storage, under their own prefix, and say where.
const summer = defineWorker({
  name: 'summer',
  accepts: PleaseSum,
  replies: DidSum,
  async handle({ id, numbers }, { blobs }) {
    const total = numbers.reduce((sum, n) => sum + n, 0);
    await blobs.put(`${id}.txt`, Buffer.from(`${numbers.join(' + ')} = ${total}\n`), { contentType: 'text/plain' });
    return { numbers, total };
  },
});

const mediator = defineMediator({
  name: 'mediator',
  rules: [
    // Every two results make a pair: the window hands each pair to exactly one caller, however
    // many results arrive at once.
    when(DidDouble, async (result, { state }) => {
      const pair = await state.addToWindow('pairs', { id: result.id, order: result.n, value: result.doubled }, 2);
      return pair ? [message(PleaseSum, { numbers: pair.members.map((m) => m.value) })] : [];
    }),
  ],
});

export default defineFlow({
  name: 'doubling',
  mediator,
  workers: [doubler, summer],
  messages: [DidSum],
  // Every hour, on its own: double the hour and the hour after it.
  schedule: {
    cron: '0 * * * *',
    inputs: (now) => {
      const hour = new Date(now).getUTCHours();
      return [{ type: 'please-double', n: hour }, { type: 'please-double', n: hour + 1 }];
    },
  },
});
