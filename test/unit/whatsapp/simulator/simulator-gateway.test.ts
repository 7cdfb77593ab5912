import type { GatewayEvent } from '../../../../src/whatsapp/gateway';
import { SimulatorGateway } from '../../../../src/whatsapp/simulator/simulator-gateway';

const ANA = { waId: '447911123456@c.us', name: 'Ana Lima', e164: '+447911123456' };

async function started() {
  const gateway = new SimulatorGateway(() => new Date('2026-12-01T10:00:00Z'));
  const events: GatewayEvent[] = [];
  gateway.on((e) => events.push(e));
  await gateway.start();
  gateway.addContact(ANA);
  return { gateway, events };
}

describe('the simulator gateway', () => {
  it('when a customer writes, then the port emits a WhatsApp-shaped message with their name', async () => {
    const { gateway, events } = await started();
    const shown = gateway.customerSends(ANA.waId, { kind: 'text', text: 'Hi' });
    expect(events.at(-1)).toEqual({ type: 'message', message: { id: shown.id, from: ANA.waId, pushName: 'Ana Lima', content: { kind: 'text', text: 'Hi' }, at: new Date('2026-12-01T10:00:00Z') } });
    expect(shown.id).toMatch(/^false_447911123456@c\.us_SIM[0-9A-F]{16}$/);
    expect((await gateway.messagesSince(new Date(0), 10)).messages.map((m) => m.id)).toEqual([shown.id]);
  });

  it('when the page receives and shows a reply, then device and read acks follow, never backwards', async () => {
    const { gateway, events } = await started();
    const sent = await gateway.sendText(ANA.waId, 'Hello');
    expect(gateway.receipts([sent.id], 'read')).toBe(1);
    expect(gateway.receipts([sent.id], 'delivered')).toBe(0);
    expect(events.filter((e) => e.type === 'ack')).toEqual([
      { type: 'ack', messageId: sent.id, ack: 'device' },
      { type: 'ack', messageId: sent.id, ack: 'read' },
    ]);
  });

  it('when a number nobody plays is written to, or the simulator is stopped, then the send fails as WhatsApp would', async () => {
    const { gateway } = await started();
    await expect(gateway.sendText('447000000000@c.us', 'Hello')).rejects.toMatchObject({ kind: 'rejected' });
    await gateway.stop();
    await expect(gateway.sendText(ANA.waId, 'Hello')).rejects.toMatchObject({ kind: 'not_connected' });
  });

  it('when a send has a check that throws, then nothing reaches the page', async () => {
    const { gateway } = await started();
    await expect(gateway.sendText(ANA.waId, 'Hello', { check: () => Promise.reject(new Error('opted out')) })).rejects.toThrow('opted out');
    expect(gateway.snapshot().messages).toEqual([]);
  });
});
