import { createKeywordClassifier, defaultKeywordLists, normaliseForKeywords } from '../../../src/consent/keywords';

const classify = createKeywordClassifier(defaultKeywordLists());

describe('consent keywords', () => {
  it.each([
    'STOP', 'stop', ' Stop ', 'STOP!', 'stop.', 'Stop!!!', 'stop all', 'Opt out', 'opt-out', 'UNSUBSCRIBE', 'revoke',
    'baja', 'Darme de baja', 'no mas', 'No más.', 'sair', 'Descadastrar', 'arret', 'Arrêt', 'désabonner', 'STOPP',
    'kündigen', 'kundigen', 'basta', 'Disiscrivi', 'रोकें', 'बंद करो', 'توقف', 'الغاء', 'إلغاء الاشتراك', 'berhenti', 'Batal',
  ])('when a contact sends %j, then it is an opt-out', (text) => {
    expect(classify(text)).toBe('opt_out');
  });

  it.each([
    'please stop', 'stop sending me these please', "don't stop", 'stopwatch', 'unstoppable', 'cancel my order 123',
    'the end?', 'basta pasta', 'I want to quit smoking', 'STOP'.repeat(20),
  ])('when a contact sends %j, then it is not a keyword (whole message only)', (text) => {
    expect(classify(text)).toBeNull();
  });

  it('when a contact sends START or UNSTOP, then it asks to re-subscribe; YES confirms', () => {
    expect(classify('start')).toBe('resubscribe');
    expect(classify('UNSTOP!')).toBe('resubscribe');
    expect(classify('Yes')).toBe('confirm');
    expect(classify('sí')).toBe('confirm');
    expect(classify('yes please send me spam')).toBeNull();
  });

  it('when lists are configured, then extra words count and defaults can be replaced', () => {
    const custom = createKeywordClassifier({ optOut: ['HALT'], resubscribe: ['RESUME'], confirm: ['OK'] });
    expect(custom('halt.')).toBe('opt_out');
    expect(custom('stop')).toBeNull();
    expect(custom('ok')).toBe('confirm');
  });

  it('when text is normalised, then case, diacritics, edge punctuation and inner spacing fold away', () => {
    expect(normaliseForKeywords('  ¡No   MÁS!  ')).toBe('no mas');
  });
});
