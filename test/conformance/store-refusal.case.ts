/**
 * A state store's promise about values it cannot keep: it throws the core's StoreRefusedError
 * (the one refusal the core knows, whatever the backend's codes), and keeps nothing of the step
 * it refused. Each store adds the values only it refuses (PostgreSQL: a NUL in jsonb text, a
 * number out of bigint's range).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreRefusedError, type NewMessage, type StateStore } from '../../src/index.js';
import { usingStore } from './with-store.js';

const message = (id: string, extra: Partial<NewMessage> = {}): NewMessage => ({
  id,
  type: 'did-fetch-amp-image',
  body: { type: 'did-fetch-amp-image', id, dateCreated: 1 },
  key: 'temps',
  validTime: 100,
  ...extra,
});

/** A value this store cannot keep, and what its reason says. */
export interface Refusal {
  what: string;
  message: NewMessage;
  reason: RegExp;
}

/** A status none of the three: every store refuses it. */
const unknownStatus: Refusal = { what: 'a status none of pending, done, dead', message: message('odd', { status: 'archived' as never }), reason: /archived|check/i };

export function storeRefusalConformance(name: string, open: () => Promise<StateStore>, refusals: Refusal[] = []): void {
  describe(`state store refusals: ${name}`, () => {
    const withStore = usingStore(open);

    for (const refusal of [unknownStatus, ...refusals]) {
      it(`refuses ${refusal.what} with a StoreRefusedError, and keeps nothing of that save`, withStore(async (store) => {
        const saving = store.save([message('fine'), refusal.message], 1);
        await assert.rejects(saving, (error: Error) => {
          assert.ok(error instanceof StoreRefusedError, `a StoreRefusedError, got ${error.name}: ${error.message}`);
          assert.match(error.message, refusal.reason);
          return true;
        });
        assert.equal(await store.get('fine'), undefined, 'the save is one step: none of it is kept');
      }));

      it(`refuses a settle that caused ${refusal.what}, leaving the message pending`, withStore(async (store) => {
        await store.save([message('cause')], 1);
        await assert.rejects(store.settle('cause', { status: 'done', attempts: 1 }, [message('fine-effect', { causedBy: 'cause' }), { ...refusal.message, causedBy: 'cause' }], 2), StoreRefusedError);
        assert.equal((await store.get('cause'))?.status, 'pending', 'the settle is one step: it did not happen');
        assert.equal(await store.get('fine-effect'), undefined);
        assert.equal(await store.settle('cause', { status: 'done', attempts: 1 }, [message('fine-effect', { causedBy: 'cause' })], 3), true, 'a settle it can keep still goes through');
      }));
    }

    it('does not call a busy or failing store refused: only values are', withStore(async (store) => {
      await assert.rejects(store.settle('never-saved', { status: 'done', attempts: 1 }, [], 1), (error: Error) => !(error instanceof StoreRefusedError));
    }));
  });
}
