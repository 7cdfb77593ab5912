/**
 * Consent keywords a contact can send. A keyword only counts as the WHOLE message — "please don't
 * stop sending" is not an opt-out — after trimming, case folding, removing diacritics and
 * trailing punctuation.
 */

/** Opt-out words by language (WhatsApp Business practice plus common local equivalents). */
export const DEFAULT_OPT_OUT_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  // STOP PROMOTIONS: what WhatsApp Manager's marketing opt-out button sends back when tapped.
  en: ['STOP', 'STOP ALL', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT OUT', 'OPT-OUT', 'REVOKE', 'STOP PROMOTIONS'],
  es: ['BAJA', 'DARME DE BAJA', 'PARAR', 'DETENER', 'CANCELAR', 'ANULAR', 'DESUSCRIBIR', 'NO MÁS'],
  pt: ['PARAR', 'SAIR', 'CANCELAR', 'DESCADASTRAR', 'DESINSCREVER', 'REMOVER'],
  fr: ['ARRÊT', 'ARRÊTER', 'DÉSABONNER', 'DÉSINSCRIRE', 'ANNULER', 'STOPPER'],
  de: ['STOPP', 'ABMELDEN', 'ABBESTELLEN', 'BEENDEN', 'KÜNDIGEN'],
  it: ['FERMA', 'BASTA', 'ANNULLA', 'DISISCRIVI', 'CANCELLAMI', 'DISDICI'],
  hi: ['रोकें', 'रोको', 'बंद करो', 'बंद करें', 'सदस्यता रद्द करें', 'BAND KARO', 'ROKO'],
  ar: ['توقف', 'إيقاف', 'إلغاء', 'إلغاء الاشتراك'],
  id: ['BERHENTI', 'BERHENTI LANGGANAN', 'HENTIKAN', 'BATAL', 'BATALKAN'],
};

/** Re-subscribe words: they start a new double opt-in, they never opt in by themselves. */
export const DEFAULT_RESUBSCRIBE_KEYWORDS: readonly string[] = ['START', 'UNSTOP', 'SUBSCRIBE'];

/** Words that confirm a pending opt-in request ("Reply YES to …"), and nothing else. */
export const DEFAULT_CONFIRM_KEYWORDS: readonly string[] = ['YES', 'SI', 'SÍ', 'SIM', 'OUI', 'JA', 'YA', 'हाँ', 'نعم'];

export type ConsentKeyword = 'opt_out' | 'resubscribe' | 'confirm';

/** Folds a message or keyword to the form keywords are compared in. */
export function normaliseForKeywords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // diacritics: "Arrêt" ≡ "ARRET", "إلغاء" ≡ "الغاء"
    .toLowerCase()
    .trim()
    .replace(/[\p{P}\s]+$/u, '') // "stop!!", "stop." and "stop ." are still STOP
    .replace(/^[\p{P}\s]+/u, '')
    .replace(/\s+/g, ' ');
}

export interface KeywordLists {
  optOut: readonly string[];
  resubscribe: readonly string[];
  confirm: readonly string[];
}

export function defaultKeywordLists(): KeywordLists {
  return {
    optOut: [...new Set(Object.values(DEFAULT_OPT_OUT_KEYWORDS).flat())],
    resubscribe: DEFAULT_RESUBSCRIBE_KEYWORDS,
    confirm: DEFAULT_CONFIRM_KEYWORDS,
  };
}

/** Builds a classifier over the given lists; opt-out wins if a word is in several lists. */
export function createKeywordClassifier(lists: KeywordLists): (message: string) => ConsentKeyword | null {
  const table = new Map<string, ConsentKeyword>();
  const add = (words: readonly string[], kind: ConsentKeyword) => {
    for (const word of words) {
      const key = normaliseForKeywords(word);
      if (key && !table.has(key)) table.set(key, kind);
    }
  };
  add(lists.optOut, 'opt_out');
  add(lists.resubscribe, 'resubscribe');
  add(lists.confirm, 'confirm');
  return (message) => (message.length > 64 ? null : (table.get(normaliseForKeywords(message)) ?? null));
}

/**
 * HELP and INFO in the languages above, where there is a common word. They are answered with the
 * help text and never change consent.
 */
export const DEFAULT_HELP_KEYWORDS: readonly string[] = [
  'HELP', 'INFO', // en (and INFO in most languages)
  'AYUDA', // es
  'AJUDA', // pt
  'AIDE', // fr
  'HILFE', // de
  'AIUTO', // it
  'मदद', 'सहायता', // hi
  'مساعدة', // ar
  'BANTUAN', // id
];

/** Whether the whole message is a help keyword, with the consent keywords' matching rules. */
export function createHelpMatcher(words: readonly string[] = DEFAULT_HELP_KEYWORDS): (message: string) => boolean {
  const table = new Set(words.map(normaliseForKeywords).filter(Boolean));
  return (message) => message.length <= 64 && table.has(normaliseForKeywords(message));
}
