import type { JobRun, JobRunRepository } from '../../domain/job-run';
import type { Models } from '../models';

type JobRunDoc = Omit<JobRun, 'id'> & { _id: { toString(): string } };
const toJobRun = ({ _id, ...rest }: JobRunDoc): JobRun => ({ ...rest, id: _id.toString() });

export function createJobRunRepository(models: Models): JobRunRepository {
  const { JobRun: model } = models;
  return {
    async record(run) {
      const doc = await model.create(run);
      return { ...run, id: doc._id.toString() };
    },
    async latest(job) {
      const doc = await model.findOne({ job: { $eq: job } }).sort({ startedAt: -1 }).lean<JobRunDoc>();
      return doc ? toJobRun(doc) : null;
    },
    async recentOk(job, limit) {
      const docs = await model.find({ job: { $eq: job }, outcome: 'ok' }).sort({ startedAt: -1 }).limit(limit).lean<JobRunDoc[]>();
      return docs.map(toJobRun);
    },
  };
}
