export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** This wall-clock time read as if it were UTC (minus the instant: the zone's offset). */
  asUtc: number;
}

/** One reader per zone for the process: an Intl formatter is slow to build, and a few zones are ever used. */
const readers = new Map<string, (ms: number) => WallClock>();

/** Reads instants as wall-clock time in `timezone` (one formatter per zone, reused: they are slow to build). */
export function wallClockIn(timezone: string): (ms: number) => WallClock {
  let reader = readers.get(timezone);
  if (!reader) {
    reader = buildReader(timezone);
    if (readers.size < 100) readers.set(timezone, reader);
  }
  return reader;
}

function buildReader(timezone: string): (ms: number) => WallClock {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (ms) => {
    const p = Object.fromEntries(format.formatToParts(new Date(ms)).map((part) => [part.type, Number(part.value)]));
    const w = { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second! };
    return { ...w, asUtc: Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) };
  };
}

/** The zone's offset from UTC at an instant, in ms (positive east of Greenwich). */
export function offsetAt(clock: (ms: number) => WallClock, ms: number): number {
  return clock(ms).asUtc - Math.floor(ms / 1000) * 1000;
}
