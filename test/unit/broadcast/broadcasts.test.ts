import { templateParamsFor } from '../../../src/broadcast/broadcast-runner';
import { createBroadcasts, type BroadcastDraft } from '../../../src/broadcast/broadcasts';
import type { BroadcastRepository } from '../../../src/store/repositories/broadcast-repository';

const now = new Date('2026-11-30T10:00:00Z');
/** Nothing may be read or written: every refusal here comes before the store. */
const untouchable = new Proxy({} as BroadcastRepository, {
  get: (_, key) => () => {
    throw new Error(`the store was asked (${String(key)})`);
  },
});
const service = (gateway: string) =>
  createBroadcasts({ broadcasts: untouchable, messages: { withdrawBroadcast: async () => ({ withdrawn: 0, inFlight: 0 }) }, gateway, maxPerWeek: 2, approvalOver: 50, clock: () => now });
const draft = (over: Partial<BroadcastDraft> = {}): BroadcastDraft => ({
  name: 'x',
  author: 'U1',
  audience: { labels: ['vip'], includeInactive: false },
  message: { kind: 'text', quickReply: 'q', body: 'Hello' },
  ...over,
});
const template = (hasOptOutButton: boolean) => ({ kind: 'template' as const, template: { name: 'news', language: 'en', category: 'MARKETING', params: [] }, hasOptOutButton });

describe('creating a broadcast: what is refused before anything is read or stored', () => {
  it('refuses a time in the past', async () => {
    await expect(service('wwebjs').create(draft({ sendAt: new Date(now.getTime() - 3_600_000) }))).rejects.toMatchObject({ code: 'BAD_ARGUMENTS', message: 'That time is in the past.' });
  });

  it('on the Cloud API, refuses free text: a broadcast is an approved template there', async () => {
    await expect(service('cloud').create(draft())).rejects.toMatchObject({ code: 'BAD_ARGUMENTS', message: expect.stringContaining('must be an approved template') });
  });

  it('refuses a template without an opt-out button, and a template off the Cloud API', async () => {
    await expect(service('cloud').create(draft({ message: template(false) }))).rejects.toMatchObject({ message: expect.stringContaining('no opt-out button') });
    await expect(service('wwebjs').create(draft({ message: template(true) }))).rejects.toMatchObject({ message: expect.stringContaining('only be sent through the WhatsApp Cloud API') });
  });
});

describe('template parameters per recipient', () => {
  it('fills {{first_name}} and {{name}} from each contact, and leaves the rest as typed', () => {
    expect(templateParamsFor(['{{first_name}}', 'Friday 8:00', '{{name}}'], { name: 'Ana Lima' })).toEqual(['Ana', 'Friday 8:00', 'Ana Lima']);
    expect(templateParamsFor(['{{first_name}}'], {})).toEqual(['there']);
  });
});
