/**
 * The app's notion of "now". Injected everywhere time matters (expiries, jobs, TTLs) so tests can
 * move time instead of waiting for it.
 */
export type Clock = () => Date;

/** The wall clock. Only the composition root should pick it. */
export const systemClock: Clock = () => new Date();
