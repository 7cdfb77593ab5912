import type { Catalog } from './catalog';
import { indexValues } from './values';

/**
 * What mongod's TTL monitor does: for each single-field index with `expireAfterSeconds`, delete the
 * documents whose indexed date (the earliest, for an array of dates) plus that many seconds is past.
 */
export function sweepTtl(catalog: Catalog, now: Date): number {
  let removed = 0;
  for (const coll of catalog.all()) {
    for (const spec of coll.indexSpecs()) {
      const field = Object.keys(spec.key)[0];
      if (spec.expireAfterSeconds === undefined || Object.keys(spec.key).length !== 1 || !field) continue;
      const cutoff = now.getTime() - spec.expireAfterSeconds * 1000;
      const expired = [...coll.all()].filter((doc) => {
        const dates = indexValues(doc, field).filter((v): v is Date => v instanceof Date);
        return dates.length > 0 && Math.min(...dates.map((d) => d.getTime())) <= cutoff;
      });
      for (const doc of expired) coll.remove(doc);
      removed += expired.length;
    }
  }
  return removed;
}
