import { WwebjsAliases } from '../../../src/whatsapp/wwebjs-aliases';
import type { Timers } from '../../../src/whatsapp/wwebjs-gateway';

function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 1;
  const timers: Timers = { setTimeout: (fn) => (pending.set(next, fn), next++), clearTimeout: (h) => void pending.delete(h as number) };
  return { timers, fireAll: () => [...pending.values()].forEach((fn) => fn()) };
}

const LID = '123456789012345@lid';
let now = 0;
const PN = '447911123456@c.us';

describe("a sender's other WhatsApp id", () => {
  it('when WhatsApp knows both, then an @lid sender gets the phone id and a phone sender the @lid, each asked once', async () => {
    const asked: string[][] = [];
    const aliases = new WwebjsAliases(async (ids) => (asked.push(ids), [{ lid: LID, pn: PN }]), manualTimers().timers, () => now);
    expect(await aliases.of(LID)).toBe(PN);
    expect(await aliases.of(PN)).toBe(LID);
    expect(await aliases.of(LID)).toBe(PN);
    expect(asked).toEqual([[LID], [PN]]);
  });

  it('when WhatsApp cannot place an id, then there is no alias, and it is asked again only after ten minutes', async () => {
    let answers = 0;
    const aliases = new WwebjsAliases(async () => (answers++, [{}]), manualTimers().timers, () => now);
    expect(await aliases.of(PN)).toBeUndefined();
    expect(await aliases.of(PN)).toBeUndefined();
    expect(answers).toBe(1);
    now += 10 * 60_000 + 1;
    expect(await aliases.of(PN)).toBeUndefined();
    expect(answers).toBe(2);
  });

  it('when the lookup fails or hangs, then the message goes on without an alias', async () => {
    const t = manualTimers();
    const failing = new WwebjsAliases(async () => Promise.reject(new Error('Evaluation failed')), t.timers, () => now);
    expect(await failing.of(PN)).toBeUndefined();
    const hanging = new WwebjsAliases(() => new Promise<never>(() => {}), t.timers, () => now, 2_000);
    const found = hanging.of(LID);
    t.fireAll();
    expect(await found).toBeUndefined();
  });

  it('when the id is a group or a broadcast, then nothing is asked', async () => {
    let answers = 0;
    const aliases = new WwebjsAliases(async () => (answers++, [{ lid: LID, pn: PN }]), manualTimers().timers, () => now);
    expect(await aliases.of('120363000000000000@g.us')).toBeUndefined();
    expect(answers).toBe(0);
  });
});
