import type { JobRun, JobRunRepository } from '../../domain/job-run';
import type { Models } from '../models';

export function createJobRunRepository(models: Models): JobRunRepository {
  const { JobRun: model } = models;
  return {
    async record(run) {
      const doc = await model.create(run);
      return { ...run, id: doc._id.toString() };
    },
    async latest(job) {
      const doc = await model.findOne({ job: { $eq: job } }).sort({ startedAt: -1 }).lean();
      if (!doc) return null;
      const { _id, ...rest } = doc;
      return { ...rest, id: _id.toString() } as JobRun;
    },
  };
}
