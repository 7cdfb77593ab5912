import { e164ToWaId, toE164, waIdToE164 } from '../../../src/domain/phone';
import { isAppError } from '../../../src/errors';

describe('toE164', () => {
  it.each([
    ['+44 20 7946 0000', undefined, '+442079460000'],
    ['+44 (0)20 7946 0000', undefined, '+442079460000'],
    ['0044 20 7946 0000', 'GB', '+442079460000'],
    ['020 7946 0000', 'GB', '+442079460000'],
    ['+1 (415) 555-2671', undefined, '+14155552671'],
    ['415.555.2671', 'US', '+14155552671'],
    ['+49 30 901820', undefined, '+4930901820'],
    ['+91 98765 43210', undefined, '+919876543210'],
    ['+55 11 91234-5678', undefined, '+5511912345678'],
    ['+٩٧١٥٠١٢٣٤٥٦٧', undefined, '+971501234567'],
  ])('when %s (default %s) is typed, then it becomes %s', (input, country, expected) => {
    expect(toE164(input, country as never)).toBe(expected);
  });

  it.each([
    ['a short number', '+44 20 7946'],
    ['a word', 'hello'],
    ['nothing', ''],
    ['an operator object', '{"$gt":""}'],
    ['10,000 characters', '+1'.repeat(5000)],
    ['emoji', '📞 +44 20'],
    ['right-to-left text', 'رقم الهاتف'],
  ])('when %s is typed, then a coded error explains with an example', (_what, input) => {
      try {
        toE164(input);
        throw new Error('expected toE164 to throw');
      } catch (err) {
        expect(isAppError(err, 'INVALID_PHONE')).toBe(true);
        expect((err as Error).message).toMatch(/is not a valid phone number — try the international form, e\.g\. \+44 20 7946 0000$/);
        expect((err as Error).message.length).toBeLessThan(200);
      }
  });
});

describe('WhatsApp ids', () => {
  it('when an id is @c.us, then its number is the E.164 phone', () => {
    expect(waIdToE164('447700900123@c.us')).toBe('+447700900123');
  });

  it('when an id is @lid or a group, then no phone is guessed', () => {
    expect(waIdToE164('123456789012345@lid')).toBeUndefined();
    expect(waIdToE164('120363025246125888@g.us')).toBeUndefined();
  });

  it('when an E.164 number is addressed, then it becomes an @c.us chat id', () => {
    expect(e164ToWaId('+447700900123')).toBe('447700900123@c.us');
  });
});
