import { assertFamily } from './support/property';
import { timeLimitMs } from './support/settings';

/** WhatsApp → Slack under store errors and Slack failures: the real app, store, fakes and throttle. */
describe('fault injection: the inbound path', () => {
  it('when store calls fail along recording, consent and posting, or Slack fails after (or before) taking a post, then after quiescence every invariant holds', async () => {
    await assertFamily('inbound');
  }, timeLimitMs('inbound') + 60_000);
});
