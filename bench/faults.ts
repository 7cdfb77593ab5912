import { INVARIANTS } from '../test/faults/support/violations';
import { runFamily } from '../test/faults/support/property';
import { describeReport } from '../test/faults/support/run-schedule';
import { families, type Family } from '../test/faults/support/schedule';
import { runsFor } from '../test/faults/support/settings';
import { startStore } from './rig';
import { report } from './stats';

/** `--runs N` (or `--runs=N`): schedules per family; the fault suite's own count otherwise. */
function runsFromArgs(): number | undefined {
  const args = process.argv.slice(2);
  const i = args.findIndex((a) => a === '--runs' || a.startsWith('--runs='));
  if (i === -1) return undefined;
  const value = Number(args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error('--runs wants a whole number of schedules per family');
  return value;
}

/**
 * The fault-injection suite's schedules (test/faults), run by its own runner without jest: the
 * same seed, the same schedules in the same order, the same invariants. Unlike the suite, which
 * stops at the first failure and shrinks it, every schedule runs, and every broken invariant is counted.
 */
export async function runFaultsBench(): Promise<void> {
  const store = await startStore();
  // The runner finds the store the way test files do (test/support/mongo.ts).
  process.env.SWITCHBOARD_TEST_MONGODB_URI = store.uri;
  const perInvariant = new Map<string, number>();
  let schedules = 0;
  let violations = 0;
  let failing = 0;
  const start = performance.now();
  try {
    for (const family of Object.keys(families) as Family[]) {
      await runFamily(family, runsFromArgs() ?? runsFor(family), (schedule, run) => {
        schedules++;
        violations += run.violations.length;
        if (run.violations.length > 0) failing++;
        for (const v of run.violations) perInvariant.set(v.invariant, (perInvariant.get(v.invariant) ?? 0) + 1);
        // `--verbose`: each failing schedule and what it broke, on stderr (stdout keeps the figures).
        if (run.violations.length > 0 && process.argv.includes('--verbose')) console.error(`${family}: ${JSON.stringify(schedule)}\n${describeReport(run)}\n`);
      });
    }
  } finally {
    await store.close();
  }
  report('faults.schedules', schedules, '');
  report('faults.violations', violations, '');
  report('faults.failing_schedules', failing, '');
  for (const name of [...Object.keys(INVARIANTS), 'quiescence']) report(`faults.violations.${name}`, perInvariant.get(name) ?? 0, '');
  report('faults.ms_per_schedule', Math.round((performance.now() - start) / Math.max(1, schedules)), 'ms');
}
