import fc from 'fast-check';
import { describeReport, runSchedule, type RunReport } from './run-schedule';
import { families, type Family, type Schedule } from './schedule';
import { FAULTS_PATH, FAULTS_SEED, runsFor, timeLimitMs } from './settings';

/**
 * Runs every schedule `family` generates from the suite's seed, in the suite's order, handing each
 * report to `onReport` without stopping at failures (the bench counts them all).
 */
export async function runFamily(family: Family, runs: number, onReport: (schedule: Schedule, report: RunReport) => void): Promise<void> {
  const property = fc.asyncProperty(families[family], async (schedule) => {
    onReport(schedule, await runSchedule(schedule));
    return true;
  });
  const details = await fc.check(property, { seed: FAULTS_SEED, numRuns: runs });
  // Only the runner itself can fail here (a schedule's violations are reported, not thrown).
  if (details.failed) throw details.errorInstance;
}

/**
 * Asserts that every schedule of `family` keeps every invariant: fast-check generates the
 * schedules from the fixed seed, and on a failure shrinks it to a small counterexample and throws
 * with the seed, the path to replay it, the schedule and the violations.
 */
export async function assertFamily(family: Family): Promise<void> {
  // The time limit interrupts fast-check's loop, which then abandons the run under way; that run
  // must still finish before the test ends, or it touches a torn-down jest environment.
  let running: Promise<unknown> = Promise.resolve();
  const property = fc.asyncProperty(families[family], async (schedule) => {
    const run = runSchedule(schedule);
    running = run.catch(() => undefined);
    const report = await run;
    if (report.violations.length > 0) throw new Error(describeReport(report));
  });
  await fc.assert(property, {
    seed: FAULTS_SEED,
    numRuns: runsFor(family),
    // The violations in the message itself: jest shows the message, not always the cause.
    includeErrorInReport: true,
    plugins: [fc.interruptAfterTimeLimit(timeLimitMs(family))],
    // A replay runs the one counterexample, not the whole count after it.
    ...(FAULTS_PATH ? { path: FAULTS_PATH, endOnFailure: true, numRuns: 1 } : {}),
  }).finally(() => running);
}
