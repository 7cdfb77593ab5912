import { assertFamily } from './support/property';
import { timeLimitMs } from './support/settings';

/** Slack → WhatsApp under store errors, long throttle waits and disconnects, with opt-outs arriving meanwhile. */
describe('fault injection: the outbound path', () => {
  it('when store calls fail along intake and sending, a send waits long in the throttle or WhatsApp disconnects, while contacts and agents opt out, then after quiescence every invariant holds', async () => {
    await assertFamily('outbound');
  }, timeLimitMs('outbound') + 60_000);
});
