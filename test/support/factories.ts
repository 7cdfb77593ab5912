import type { InboundSighting } from '../../src/domain/contact';
import type { NewConsentEvent } from '../../src/domain/consent-event';
import type { NewInboundMessage } from '../../src/domain/message';

let seq = 0;
const next = () => ++seq;

/** A WhatsApp id for a plausible UK mobile, unique per call unless `n` is given. */
export function waId(n = next()): string {
  return `4479111${String(n).padStart(5, '0')}@c.us`;
}

export function inboundSighting(overrides: Partial<InboundSighting> = {}): InboundSighting {
  return { waId: waId(), name: 'Ana Lima', at: new Date('2026-11-01T10:00:00Z'), ...overrides };
}

export function newInboundMessage(overrides: Partial<NewInboundMessage> = {}): NewInboundMessage {
  const n = next();
  return {
    waMessageId: `false_${waId(n)}_3EB0${n.toString(16).toUpperCase().padStart(8, '0')}`,
    contactWaId: waId(n),
    kind: 'text',
    body: `Hello ${n}`,
    at: new Date('2026-11-01T10:00:00Z'),
    ...overrides,
  };
}

export function consentEvent(overrides: Partial<NewConsentEvent> = {}): NewConsentEvent {
  return {
    contact: waId(),
    type: 'opt_out',
    source: 'whatsapp:keyword',
    actor: 'contact',
    evidence: 'STOP',
    at: new Date('2026-11-01T10:00:00Z'),
    ...overrides,
  };
}
