/** Longest any single wait of a run may take before the run counts as hung. */
export const HANG_MS = 15_000;

/** The app stopped making progress: a wait that should end did not. */
export class Hang extends Error {
  constructor(what: string, ms: number) {
    super(ms > 0 ? `hang: ${what} did not finish within ${ms / 1000} s` : `hang: ${what}`);
    this.name = 'Hang';
  }
}

/** `work`, unless it takes longer than a run may wait. */
export async function within<T>(work: Promise<T>, what: string, ms = HANG_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Hang(what, ms)), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
