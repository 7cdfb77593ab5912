import { createAfterAckQueue } from '../../../src/slack/after-ack-queue';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A few turns of the event loop: the queue looks at its jobs once per turn. */
const turns = async (n = 3) => {
  for (let i = 0; i < n; i++) await turn();
};

/** A job that records when it starts and finishes only when told to. */
function gatedJob(started: string[], name: string) {
  let finish!: (value: string) => void;
  const done = new Promise<string>((resolve) => (finish = resolve));
  return { job: () => (started.push(name), done), finish: () => finish(name) };
}

describe('after-ack queue', () => {
  it('when a job is queued, then it never starts in the same tick, only in a later turn of the event loop', async () => {
    const queue = createAfterAckQueue({ concurrency: 4, maxWaitMs: 1000 });
    const started: string[] = [];
    const result = queue.run(async () => (started.push('a'), 'A'));
    await Promise.resolve();
    expect(started).toEqual([]);
    await expect(result).resolves.toBe('A');
  });

  it('when jobs keep being queued turn after turn, then none starts until a turn passes without a new one', async () => {
    const queue = createAfterAckQueue({ concurrency: 4, maxWaitMs: 1000 });
    const started: string[] = [];
    const runs = [queue.run(async () => void started.push('a'))];
    for (const name of ['b', 'c', 'd']) {
      await turn();
      runs.push(queue.run(async () => void started.push(name)));
    }
    expect(started).toEqual([]);
    await Promise.all(runs);
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('when more jobs than the concurrency are queued, then at most that many run at once, in order, and each settles as its job does', async () => {
    const queue = createAfterAckQueue({ concurrency: 2, maxWaitMs: 1000 });
    const started: string[] = [];
    const jobs = ['a', 'b', 'c'].map((name) => gatedJob(started, name));
    const runs = jobs.map(({ job }) => queue.run(job));
    await turns();
    expect(started).toEqual(['a', 'b']);
    expect(queue.size()).toEqual({ running: 2, waiting: 1 });
    jobs[1]!.finish();
    await expect(runs[1]).resolves.toBe('b');
    await turns();
    expect(started).toEqual(['a', 'b', 'c']);
    jobs[0]!.finish();
    jobs[2]!.finish();
    await expect(Promise.all(runs)).resolves.toEqual(['a', 'b', 'c']);
    expect(queue.size()).toEqual({ running: 0, waiting: 0 });
  });

  it('when a job fails, then its run rejects with that error and the next job still runs', async () => {
    const queue = createAfterAckQueue({ concurrency: 1, maxWaitMs: 1000 });
    const failed = queue.run(async () => {
      throw new Error('store down');
    });
    const next = queue.run(async () => 'ok');
    await expect(failed).rejects.toThrow('store down');
    await expect(next).resolves.toBe('ok');
  });

  it('when every slot is held by a long job, then a waiting job starts anyway once it has waited maxWaitMs', async () => {
    jest.useFakeTimers();
    try {
      const queue = createAfterAckQueue({ concurrency: 1, maxWaitMs: 1000 });
      const started: string[] = [];
      const long = gatedJob(started, 'long');
      const running = queue.run(long.job);
      for (let i = 0; i < 5; i++) await jest.advanceTimersByTimeAsync(1);
      expect(started).toEqual(['long']);
      const late = gatedJob(started, 'late');
      const lateRun = queue.run(late.job);
      await jest.advanceTimersByTimeAsync(990);
      expect(started).toEqual(['long']);
      await jest.advanceTimersByTimeAsync(100);
      expect(started).toEqual(['long', 'late']);
      late.finish();
      long.finish();
      await Promise.all([running, lateRun]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('when the app stops, then idle waits for every queued and running job', async () => {
    const queue = createAfterAckQueue({ concurrency: 1, maxWaitMs: 1000 });
    const started: string[] = [];
    const jobs = ['a', 'b'].map((name) => gatedJob(started, name));
    const runs = jobs.map(({ job }) => queue.run(job));
    let idle = false;
    const stopped = queue.idle().then(() => (idle = true));
    await turns();
    expect(started).toEqual(['a']);
    jobs[0]!.finish();
    await turns();
    expect(idle).toBe(false);
    jobs[1]!.finish();
    await stopped;
    expect(idle).toBe(true);
    await expect(Promise.all(runs)).resolves.toEqual(['a', 'b']);
    await expect(createAfterAckQueue({ concurrency: 1, maxWaitMs: 1000 }).idle()).resolves.toBeUndefined();
  });
});
