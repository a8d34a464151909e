// Property: an approval's one read of the user and the card they pay with when they pick none
// (findUserWithDefaultCard) answers the user as stored and the card findDefaultCard offers first, with its bank's
// hold period, on both engines: the default card when there is one, else the oldest, nothing for a user without
// cards, and no user for an unknown number.
// Method: a fresh migrated database per dialect; users made with the sandbox's own insertTestUser.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { insertTestUser } from '../../src/core/users/test-users.ts';
import type { Store } from '../../src/store/db.ts';
import { findDefaultCard, findUserWithDefaultCard } from '../../src/store/repos/banks.ts';
import { findTestUser } from '../../src/store/repos/users.ts';
import { testDialects } from '../support/databases.ts';
import { migratedStores } from './support.ts';

const NOW_MS = 1_796_000_000_000;

for (const dialect of await testDialects()) {
  describe(`a user with their default card (${dialect})`, () => {
    let s: Store;
    const stores = migratedStores(dialect);
    after(() => stores.closeAll());
    const store = () => stores.open();

    async function assertSameAsTwoReads(msisdn: string) {
      const read = await findUserWithDefaultCard(s.db, msisdn);
      assert.ok(read, msisdn);
      assert.deepEqual(read.user, await findTestUser(s.db, msisdn));
      assert.deepEqual(read.card, await findDefaultCard(s.db, msisdn));
      return read;
    }

    test('the default card, else the oldest, else none; no user for an unknown number', async () => {
      s = await store();
      await insertTestUser(s.db, { msisdn: '90000001', cards: [{ id: 'old' }, { id: 'chosen', isDefault: true }, { id: 'newer' }] }, NOW_MS);
      await insertTestUser(s.db, { msisdn: '90000002', cards: [{ id: 'first' }, { id: 'second' }] }, NOW_MS);
      await insertTestUser(s.db, { msisdn: '90000003', cards: [] }, NOW_MS);
      await insertTestUser(s.db, { msisdn: '90000004' }, NOW_MS);

      const withDefault = await assertSameAsTwoReads('90000001');
      assert.equal(withDefault.card?.id, 'chosen');
      assert.equal(typeof withDefault.card?.bank_hold_days, 'number');
      assert.equal((await assertSameAsTwoReads('90000002')).card?.id, 'first');
      assert.equal((await assertSameAsTwoReads('90000003')).card, undefined);
      assert.ok((await assertSameAsTwoReads('90000004')).card);
      assert.equal(await findUserWithDefaultCard(s.db, '99999999'), undefined);
    });
  });
}
