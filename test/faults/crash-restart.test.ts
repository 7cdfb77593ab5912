import { assertFamily } from './support/property';
import { timeLimitMs } from './support/settings';

/** A crash (no drain) between any two writes, and a new instance on the same database, store, Slack and WhatsApp. */
describe('fault injection: crash and restart', () => {
  it('when the app crashes before or after any store call on the paths and another starts on the same database, then after quiescence every invariant holds', async () => {
    await assertFamily('crash');
  }, timeLimitMs('crash') + 60_000);
});
