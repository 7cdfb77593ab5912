import { Writable } from 'node:stream';
import { AppError } from '../../src/errors';
import { createLogger, type LoggerOptions } from '../../src/logger';
import { testPrivacy } from '../support/privacy';

const { pseudonym } = testPrivacy();
const ANA = '447911123456@c.us';

function capture(options: Partial<LoggerOptions> = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: 'debug', pretty: false, pseudonym, ...options }, stream);
  const text = () => chunks.join('');
  return { logger, text, lines: () => text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger with a pseudonym', () => {
  it('when a line names a contact in any form, then it carries the same pseudonym for each form, at the top level, nested and in child bindings', () => {
    const { logger, lines, text } = capture();
    logger.info({ contact: ANA, chat: '+447911123456', from: '447911123456', waId: '447911123456@s.whatsapp.net' }, 'top level');
    logger.info({ message: { from: ANA, to: ANA, author: ANA }, list: [{ waId: ANA }], contacts: [ANA, '+447911123456'] }, 'nested');
    logger.child({ contact: ANA }).child({ component: 'x' }).warn('a child');
    logger.info({ contact: { waId: ANA, aliasWaId: '123456789012345@lid', e164: '+447911123456' } }, 'a whole contact');
    const ps = pseudonym(ANA);
    const [top, nested, child, whole] = lines();
    expect(top).toMatchObject({ contact: ps, chat: ps, from: ps, waId: ps });
    expect(nested).toMatchObject({ message: { from: ps, to: ps, author: ps }, list: [{ waId: ps }], contacts: [ps, ps] });
    expect(child).toMatchObject({ contact: ps, component: 'x', msg: 'a child' });
    expect(whole).toMatchObject({ contact: { waId: ps, aliasWaId: pseudonym('123456789012345@lid'), e164: ps } });
    expect(text()).not.toMatch(/447911123456|123456789012345/);
  });

  it('when two contacts are logged, then their pseudonyms differ; and one the app logged itself is kept as it is', () => {
    const { logger, lines } = capture();
    logger.info({ contact: ANA }, 'a');
    logger.info({ contact: '5511987654321@c.us' }, 'b');
    logger.info({ contact: pseudonym(ANA) }, 'c');
    expect(lines().map((l) => l.contact)).toEqual([pseudonym(ANA), pseudonym('5511987654321@c.us'), pseudonym(ANA)]);
    expect(pseudonym(ANA)).not.toBe(pseudonym('5511987654321@c.us'));
  });

  it('when a line carries names, then they are blanked out, nested too', () => {
    const { logger, lines, text } = capture();
    logger.info({ name: 'Ana Lima', pushName: 'Ana Lima', sender: { pushname: 'Ana Lima', notifyName: 'Ana Lima', displayName: 'Ana Lima' } }, 'names');
    logger.child({ name: 'Ana Lima' }).info('bound');
    const [line, bound] = lines();
    expect(line).toMatchObject({ name: '[redacted]', pushName: '[redacted]', sender: { pushname: '[redacted]', notifyName: '[redacted]', displayName: '[redacted]' } });
    expect(bound).toMatchObject({ name: '[redacted]' });
    expect(text()).not.toContain('Ana');
  });

  it('when a message, an error or any other field embeds a WhatsApp id or a number, then the pseudonym replaces it, and the error keeps its type and stack', () => {
    const { logger, lines, text } = capture();
    const err = Object.assign(new Error(`WhatsApp no longer has message false_${ANA}_3EB0AB; tried 447911123456 and +447911123456`), { details: { e164: '+447911123456' } });
    logger.warn({ err, waMessageId: `true_${ANA}_OUT1`, reason: `no chat ${ANA}` }, `could not reach ${ANA}`);
    const [line] = lines();
    const ps = pseudonym(ANA);
    expect(line).toMatchObject({ waMessageId: `true_${ps}_OUT1`, reason: `no chat ${ps}`, msg: `could not reach ${ps}` });
    expect(line!.err).toMatchObject({ type: 'Error', message: `WhatsApp no longer has message false_${ps}_3EB0AB; tried ${ps} and ${ps}`, details: { e164: ps } });
    expect(String((line!.err as { stack: string }).stack)).toMatch(/logger-privacy\.test\.ts/);
    expect(text()).not.toContain('447911123456');
  });

  it('when a coded error embeds a number, then its message and details carry the pseudonym, and its class name and code stay', () => {
    const { logger, lines, text } = capture();
    logger.error({ err: new AppError('CONTACT_NOT_FOUND', 'No contact has the number +447911123456.', { e164: '+447911123456' }) }, 'failed');
    expect(lines()[0]!.err).toMatchObject({ type: 'AppError', name: 'AppError', code: 'CONTACT_NOT_FOUND', message: `No contact has the number ${pseudonym(ANA)}.`, details: { e164: pseudonym(ANA) } });
    expect(text()).not.toContain('447911123456');
  });

  it('when a field is a Slack ts, a time or a count, then it is left alone', () => {
    const { logger, lines } = capture();
    const err = new Error('message_not_found for 1800000000.000123');
    logger.info({ slackTs: '1800000000.000123', contacts: 2, err, at: new Date('2026-11-25T09:00:00Z') }, 'kept');
    expect(lines()[0]).toMatchObject({ slackTs: '1800000000.000123', contacts: 2, err: { message: 'message_not_found for 1800000000.000123' }, at: '2026-11-25T09:00:00.000Z' });
  });

  it('when no pseudonym is given, then contact ids are blanked out', () => {
    const { logger, lines, text } = capture({ pseudonym: undefined });
    logger.info({ contact: ANA, nested: { waId: ANA } }, `about ${ANA}`);
    expect(lines()[0]).toMatchObject({ contact: '[redacted]', nested: { waId: '[redacted]' }, msg: 'about [redacted]' });
    expect(text()).not.toContain('447911123456');
  });
});
