import { assertFamily } from './support/property';
import { timeLimitMs } from './support/settings';

/** Two instances sharing one store, one Slack and one WhatsApp session (one fake gateway object). */
describe('fault injection: two instances', () => {
  it('when two instances share the store and the WhatsApp session and sends wait long in a throttle, store calls fail or either instance crashes, then after quiescence every invariant holds', async () => {
    await assertFamily('twoInstances');
  }, timeLimitMs('twoInstances') + 60_000);
});
