/**
 * Calls made at once run as one statement: every call asked for while the event loop is busy (the
 * handlers of one fetched batch starting together) goes, at its next turn, into one `runMany`.
 * One statement serves many calls, where it was one each; each call still gets its own answer.
 *
 * Calls with the same `key` never share a statement (a row may be changed once per statement):
 * a later one waits for the next group. When a group's statement fails, each of its calls is run
 * again alone, so a value the database refuses fails its own call only, never its neighbours'.
 */
export function statementGroup<I, O>(key: (item: I) => string, runMany: (items: I[]) => Promise<O[]>): (item: I) => Promise<O> {
  interface Pending {
    item: I;
    resolve: (value: O) => void;
    reject: (error: unknown) => void;
  }
  let pending: Pending[] = [];

  const settle = async (group: Pending[]) => {
    try {
      const results = await runMany(group.map((p) => p.item));
      for (const [i, p] of group.entries()) p.resolve(results[i]!);
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      for (const p of group) void settle([p]);
    }
  };

  const flush = () => {
    const keys = new Set<string>();
    const group: Pending[] = [];
    const later: Pending[] = [];
    for (const p of pending) {
      const k = key(p.item);
      if (keys.has(k)) later.push(p);
      else (keys.add(k), group.push(p));
    }
    pending = later;
    if (later.length > 0) setImmediate(flush);
    void settle(group);
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length === 1) setImmediate(flush);
    });
}
