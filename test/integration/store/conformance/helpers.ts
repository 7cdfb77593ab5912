import { randomBytes } from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import type { TestDb } from '../../../support/mongo';

/** A fresh collection per test, so tests never see each other's documents. */
export function freshCollection<T extends Document = Document>(t: TestDb, prefix = 'c'): Collection<T> {
  return t.db.collection<T>(`${prefix}_${randomBytes(4).toString('hex')}`);
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Document> {
  try {
    await p;
  } catch (err) {
    return err as Document;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}
