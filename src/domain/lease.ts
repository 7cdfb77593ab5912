/** A held lease: who holds it, until when, and a fencing token that grows with every new holder. */
export interface Lease {
  name: string;
  holder: string;
  token: number;
  expiresAt: Date;
}

/**
 * Leases in the store decide which instance runs the WhatsApp client and the jobs. The fencing
 * token lets a resource refuse work from a holder that has since lost the lease.
 */
export interface LeaseRepository {
  /** Takes the lease if free or expired, or renews it if `holder` already has it; null if another holds it. */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | null>;
  release(name: string, holder: string): Promise<void>;
  /** True while `holder` still holds the lease with `token`, unexpired. */
  isCurrent(name: string, holder: string, token: number): Promise<boolean>;
}
