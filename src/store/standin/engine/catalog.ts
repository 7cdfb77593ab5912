import { mongoError } from '../errors';
import { Collection } from './collection';

/** The databases and collections the engine holds. Databases exist while they hold a collection. */
export class Catalog {
  private readonly dbs = new Map<string, Map<string, Collection>>();

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collection, created on first write as mongod does. */
  ensure(db: string, name: string): Collection {
    const existing = this.get(db, name);
    if (existing) return existing;
    validateNames(db, name);
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    const coll = new Collection(db, name);
    colls.set(name, coll);
    return coll;
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  databases(): string[] {
    return [...this.dbs.keys()];
  }

  all(): Collection[] {
    return [...this.dbs.values()].flatMap((c) => [...c.values()]);
  }

  drop(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    const dropped = colls?.delete(name) ?? false;
    if (colls?.size === 0) this.dbs.delete(db);
    return dropped;
  }

  dropDatabase(db: string): void {
    this.dbs.delete(db);
  }
}

/** The collection name a command names, with MongoDB's InvalidNamespace error for a bad one. */
export function collectionName(value: unknown, command: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw mongoError('InvalidNamespace', `collection name has invalid type ${typeof value} for command ${command}`);
  }
  return value;
}

function validateNames(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db)) throw mongoError('InvalidNamespace', `Invalid database name: '${db}'`);
  if (name.includes('$') || name.includes('\0') || name.startsWith('system.')) {
    throw mongoError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
}
