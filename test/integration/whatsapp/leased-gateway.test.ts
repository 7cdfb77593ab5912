import { silentLogger } from '../../../src/logger';
import { createModels, syncIndexes } from '../../../src/store/models';
import { createRepositories } from '../../../src/store/repositories';
import { testPrivacy } from '../../support/privacy';
import { LeasedGateway } from '../../../src/whatsapp/leased-gateway';
import { FakeWhatsAppGateway } from '../../support/fake-whatsapp-gateway';
import { useTestDb } from '../../support/mongo';

/** Two instances, one store: only the lease holder runs WhatsApp; a standby takes over; fencing holds. */
describe('one WhatsApp session across instances', () => {
  const t = useTestDb();
  let now = new Date('2026-11-25T09:00:00Z');
  const clock = () => now;
  const TTL = 30_000;

  async function instance(holder: string, leaseName: string) {
    const models = createModels(t.mongoose);
    await syncIndexes(models);
    const inner = new FakeWhatsAppGateway(clock);
    const starts = jest.spyOn(inner, 'start');
    const gateway = new LeasedGateway({ inner, leases: createRepositories(models, clock, testPrivacy()).leases, holder, ttlMs: TTL, clock, logger: silentLogger(), leaseName });
    return { inner, starts, gateway };
  }

  it('when two instances start, then one runs WhatsApp, the other stands by and cannot send', async () => {
    const a = await instance('a', 'wa-1');
    const b = await instance('b', 'wa-1');
    await a.gateway.tick();
    await b.gateway.tick();
    expect(a.starts).toHaveBeenCalledTimes(1);
    expect(b.starts).not.toHaveBeenCalled();
    expect(b.gateway.status().state).toBe('standby');
    await expect(b.gateway.sendText('447911123456@c.us', 'hi')).rejects.toMatchObject({ kind: 'not_connected' });
    await a.gateway.sendText('447911123456@c.us', 'hi');
    expect(a.inner.sent).toHaveLength(1);
    expect(b.inner.sent).toHaveLength(0);
  });

  it('when the holder dies, then the standby takes over within the TTL and the old holder is fenced off', async () => {
    const a = await instance('a', 'wa-2');
    const b = await instance('b', 'wa-2');
    await a.gateway.tick();
    await b.gateway.tick();
    expect(a.starts).toHaveBeenCalledTimes(1);
    // a stops renewing (crashed or paused); one TTL later b's next check takes the lease.
    now = new Date(now.getTime() + TTL + 1);
    await b.gateway.tick();
    expect(b.starts).toHaveBeenCalledTimes(1);
    expect(b.gateway.status().state).toBe('connected');
    // a wakes up still believing it holds the session: the fencing check refuses its send.
    await expect(a.gateway.sendText('447911123456@c.us', 'late')).rejects.toMatchObject({ kind: 'not_connected' });
    expect(a.inner.sent).toHaveLength(0);
    await b.gateway.sendText('447911123456@c.us', 'hello');
    expect(b.inner.sent).toHaveLength(1);
  });

  it('when the holder renews in time, then it keeps the session and the standby stays standby', async () => {
    const a = await instance('a', 'wa-3');
    const b = await instance('b', 'wa-3');
    await a.gateway.tick();
    for (let i = 0; i < 5; i++) {
      now = new Date(now.getTime() + TTL / 3);
      await a.gateway.tick();
      await b.gateway.tick();
    }
    expect(a.starts).toHaveBeenCalledTimes(1);
    expect(b.starts).not.toHaveBeenCalled();
  });
});
