/**
 * What prune keeps, the same rule on every state store (each writes it in its own dialect; see the
 * port's `prune`). A done message settled before the cutoff goes, unless it is:
 *
 * 1. a cause, at any depth, of a pending or dead message: a trace stays whole, and a dead letter
 *    re-driven later still has its history;
 * 2. under the key of a pending message: a handler looks things up by type and key (the mediator's
 *    `find`), so what a message still to be handled may look up shares its key (a GIF made, its mail
 *    not yet sent, looks up its frames' thumbnails under their imageId). Nothing else is needed to
 *    know what a pending message will read, and the pending messages are few, so this stays cheap
 *    however long the history;
 * 3. recorded since the first member joined of a window still open, or the first part arrived of
 *    a known set not yet complete: their keys may have nothing pending right now, yet the batch's
 *    closing will look up what they caused (a GIF's frames' thumbnails). As a message position,
 *    the pin: each open window and set keeps the newest message position when it opened
 *    (`openedAfter`, cleared as it closes), and the earliest of those holds prune back.
 *
 * The fan-in's records (windows, batches, member links, known sets) are never pruned: see the port.
 */

/** Rows removed per statement: each step is its own short transaction, so writers are never held up for long. */
export const pruneStepSize = 5000;

/** Runs `step` (which removes up to `limit` rows and says how many it did) until one removes fewer. */
export async function pruneInSteps(step: (limit: number) => Promise<number>): Promise<number> {
  let removed = 0;
  for (;;) {
    const changes = await step(pruneStepSize);
    removed += changes;
    if (changes < pruneStepSize) return removed;
  }
}
