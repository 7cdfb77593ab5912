/**
 * Deliveries that can be held back, in order, while something older is handed over first (a
 * catch-up after downtime: see catch-up.ts). Holds nest; the last release lets them through.
 */
export function holdGate<T>(deliver: (item: T) => void): { pass(item: T): void; hold(): () => void } {
  let holds = 0;
  let held: T[] = [];
  return {
    pass(item) {
      if (holds > 0) held.push(item);
      else deliver(item);
    },
    hold() {
      holds++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--holds > 0) return;
        const waiting = held;
        held = [];
        for (const item of waiting) deliver(item);
      };
    },
  };
}
