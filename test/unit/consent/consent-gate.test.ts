import { checkConsent } from '../../../src/consent/consent-gate';
import type { Contact } from '../../../src/domain/contact';

function contact(overrides: Partial<Contact> = {}): Contact {
  return {
    id: '1',
    waId: '447700900001@c.us',
    e164: '+447700900001',
    name: '<https://evil.example|Click> <!channel>',
    labels: [],
    consent: { status: 'opted_out', since: new Date('2026-11-25T09:00:00Z'), source: 'keyword:*STOP*&' },
    activity: { status: 'active' },
    createdAt: new Date('2026-11-01T09:00:00Z'),
    updatedAt: new Date('2026-11-25T09:00:00Z'),
    ...overrides,
  };
}

describe('checkConsent', () => {
  it('when an opted-out contact is refused, then the reason says when and how, and carries neither their name nor markup: it goes to Slack and to the logs as it is', () => {
    const gate = checkConsent(contact(), 'reply');
    expect(gate).toEqual({ allowed: false, reason: 'the contact opted out on 2026-11-25 via keyword:STOP; not sent' });
  });

  it('when the opt-out has no date or source, then the reason says so', () => {
    expect(checkConsent(contact({ consent: { status: 'opted_out' } }), 'reply')).toEqual({ allowed: false, reason: 'the contact opted out via an unknown source; not sent' });
  });

  it('when the contact has not opted out, then a reply is allowed and only the opt-out confirmation is refused', () => {
    expect(checkConsent(contact({ consent: { status: 'opted_in' } }), 'reply')).toEqual({ allowed: true });
    expect(checkConsent(contact({ consent: { status: 'opted_in' } }), 'opt_out_confirmation')).toMatchObject({ allowed: false });
    expect(checkConsent(contact(), 'opt_out_confirmation')).toEqual({ allowed: true });
  });

  it('when a broadcast is to go out, then only a confirmed opt-in receives it', () => {
    expect(checkConsent(contact({ consent: { status: 'opted_in' } }), 'broadcast')).toEqual({ allowed: true });
    for (const status of ['unknown', 'pending'] as const) {
      expect(checkConsent(contact({ consent: { status } }), 'broadcast')).toEqual({ allowed: false, reason: `broadcasts go only to confirmed opt-ins; consent is ${status}; not sent` });
    }
    expect(checkConsent(contact(), 'broadcast')).toMatchObject({ allowed: false });
  });
});
