export interface QuickReply {
  id: string;
  /** What agents type after `!` or pick in the picker; lower-case, unique. */
  shortcut: string;
  /** Text with `{{name}}`, `{{first_name}}`, `{{agent}}` variables. */
  body: string;
  author: string;
  usageCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface QuickReplyRepository {
  /** Throws QUICK_REPLY_EXISTS when the shortcut is taken. */
  create(input: { shortcut: string; body: string; author: string }): Promise<QuickReply>;
  findByShortcut(shortcut: string): Promise<QuickReply | null>;
  list(): Promise<QuickReply[]>;
  update(shortcut: string, body: string): Promise<QuickReply | null>;
  remove(shortcut: string): Promise<boolean>;
  incrementUsage(shortcut: string): Promise<void>;
}
