export const AUTO_REPLY_KINDS = ['greeting', 'away', 'help'] as const;
export type AutoReplyKind = (typeof AUTO_REPLY_KINDS)[number];

/** An automatic reply claimed for a message and not yet stored to send (the debt a crash may leave). */
export interface OwedAutoReply {
  kind: AutoReplyKind;
  /** The contact's message it answers (WhatsApp id): the key its reply and thread notice are stored under. */
  for: string;
  /** When the contact wrote that message. */
  at: Date;
  claimedAt: Date;
}

/** The automatic replies' bookkeeping on the contact; implemented in store/. */
export interface AutoReplyRepository {
  /**
   * Claims `owed.kind` for this message unless one of that kind was claimed for another message of
   * the contact's after `notBefore` (once per so many hours). The claim and the debt are one write.
   * True when this message holds it — also when it held it already (a retry, another instance).
   */
  claim(waId: string, owed: OwedAutoReply, notBefore: Date): Promise<boolean>;
  /** The reply for message `forMessage` is stored: the debt is paid. */
  paid(waId: string, forMessage: string): Promise<void>;
  /** Debts claimed before `before` (their claimer crashed or failed), oldest first. */
  owed(before: Date, limit: number): Promise<Array<{ waId: string; owed: OwedAutoReply }>>;
}
