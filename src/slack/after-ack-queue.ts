/**
 * Where work that follows an acknowledgement runs, so that it does not hold up the next acknowledgements.
 *
 * Slack wants the HTTP 200 for a slash command within 3 s; the answer may follow through
 * `respond()`. After the ack, a `/wa` command still goes through Bolt's middleware and listeners,
 * reads the store and POSTs its answer: 1–8 ms of the process's CPU, against well under 1 ms for
 * receiving and acknowledging it (early-ack-app.ts). Run at once, as each ack returns, that
 * work's callbacks interleave with reading, verifying and acknowledging the requests still waiting
 * on their sockets: under 200 concurrent commands (`npm run bench -- commands`) the last ack waited
 * 0.2–0.7 s behind other commands' answers.
 *
 * So a job here starts
 * - only from `setImmediate`, i.e. in the event loop's check phase, after the poll phase has
 *   handled every request that was already readable (never synchronously, not even when a slot
 *   is free: it would then run inside whichever callback freed the slot);
 * - not in a loop turn in which another job was queued: a request was just acknowledged, so more
 *   are probably arriving, and the next turn's poll phase takes them first;
 * - when fewer than `concurrency` jobs are running, so between two acks there are only a few
 *   jobs' callbacks.
 * The last two give way once the oldest job has waited `maxWaitMs`, so a burst or a few long jobs
 * (a hygiene run) hold back the start of an answer by at most that; a modal's trigger_id lasts 3 s.
 * (A bare `setImmediate` per job measured worse than nothing: a whole batch of jobs then starts
 * together, between two batches of requests.)
 */
export interface AfterAckQueue {
  /** Runs `job` when its turn comes; settles as the job does. */
  run<T>(job: () => Promise<T>): Promise<T>;
  /** Jobs running and waiting now. */
  size(): { running: number; waiting: number };
  /** Resolves once every job queued so far has settled (shutdown waits for the answers owed). */
  idle(): Promise<void>;
}

export interface AfterAckQueueOptions {
  /** Jobs running at once, unless the oldest waiting one is overdue. */
  concurrency: number;
  /** Longest a job waits for its turn. */
  maxWaitMs: number;
}

export function createAfterAckQueue({ concurrency, maxWaitMs }: AfterAckQueueOptions): AfterAckQueue {
  let running = 0;
  const waiting: Array<{ start: () => void; since: number }> = [];
  const settling = new Set<Promise<unknown>>();
  /** A job was queued since the last check phase: requests are still coming in. */
  let arriving = false;
  let immediate: NodeJS.Immediate | undefined;
  let overdueTimer: NodeJS.Timeout | undefined;

  const overdue = () => waiting.length > 0 && performance.now() - waiting[0]!.since >= maxWaitMs;
  const nextTurn = () => {
    immediate ??= setImmediate(pump);
  };

  function pump(): void {
    immediate = undefined;
    if (waiting.length === 0) return;
    if (arriving && !overdue()) {
      arriving = false;
      nextTurn();
      return;
    }
    arriving = false;
    while (waiting.length > 0 && (running < concurrency || overdue())) {
      running++;
      waiting.shift()!.start();
    }
    schedule();
  }

  /** Arranges the next look: next turn if a slot is free, else when the oldest job falls due. */
  function schedule(): void {
    if (waiting.length === 0) return;
    if (running < concurrency) return nextTurn();
    if (overdueTimer) return;
    const dueIn = Math.max(0, waiting[0]!.since + maxWaitMs - performance.now());
    overdueTimer = setTimeout(() => {
      overdueTimer = undefined;
      nextTurn();
    }, dueIn);
  }

  return {
    async run(job) {
      await new Promise<void>((start) => {
        waiting.push({ start, since: performance.now() });
        arriving = true;
        schedule();
      });
      const settled = job();
      settling.add(settled);
      try {
        return await settled;
      } finally {
        settling.delete(settled);
        running--;
        schedule();
      }
    },
    size: () => ({ running, waiting: waiting.length }),
    async idle() {
      while (running + waiting.length > 0) {
        // Waiting jobs start on a later turn: give it to them rather than spin.
        if (settling.size > 0) await Promise.allSettled([...settling]);
        else await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
}
