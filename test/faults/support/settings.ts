import type { Family } from './schedule';

/**
 * The suite's seed and size. CI runs the fixed seed and the default count; a soak raises the count
 * (`npm run test:faults -- --runs 500`) or varies the seed (`--seed 7`).
 */
export const FAULTS_SEED = Number(process.env.FAULTS_SEED ?? 16);

/**
 * A failure prints its seed and path; with both set, one test file replays just that
 * counterexample: `FAULTS_SEED=16 FAULTS_PATH="0:2:2" npx jest test/faults/two-instances.test.ts`.
 */
export const FAULTS_PATH = process.env.FAULTS_PATH || undefined;

/** Runs per family by default (0.3–0.7 s each here): together about 80 s for test/faults on two cores. */
const DEFAULT_RUNS: Record<Family, number> = { inbound: 40, outbound: 35, crash: 50, twoInstances: 45 };

/** How many schedules a family runs: FAULTS_RUNS when set (a soak), else its default. */
export function runsFor(family: Family): number {
  const fromEnv = Number(process.env.FAULTS_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_RUNS[family];
}

/**
 * Most time one family may take, shrinking included: a failure is still reported (with the smallest
 * schedule found so far) rather than shrunk past the CI budget. A soak has room for every run.
 */
export function timeLimitMs(family: Family): number {
  const soak = Number.isInteger(Number(process.env.FAULTS_RUNS)) && Number(process.env.FAULTS_RUNS) > 0;
  return soak ? runsFor(family) * 2_000 : Math.max(25_000, runsFor(family) * 800);
}
