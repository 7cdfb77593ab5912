/** Who did what through Slack, for accountability (and for refused attempts). */
export interface AuditEntry {
  id: string;
  actor: string;
  action: string;
  args: Record<string, unknown>;
  outcome: 'ok' | 'refused' | 'failed';
  at: Date;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Newest first. */
  recent(limit: number): Promise<AuditEntry[]>;
}
