import type { AuditEntry, AuditLog } from '../../domain/audit';
import type { Models } from '../models';

export function createAuditLog(models: Models): AuditLog {
  const { Audit: model } = models;
  return {
    async record(entry) {
      await model.create(entry);
    },
    async recent(limit) {
      const docs = await model.find().sort({ at: -1, _id: -1 }).limit(limit).lean();
      return docs.map(({ _id, ...rest }) => ({ ...rest, id: _id.toString() }) as AuditEntry);
    },
  };
}
