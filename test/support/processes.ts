import { readFileSync } from 'node:fs';

/** True while `pid` is a live process (a zombie awaiting its parent's reaping counts as gone). */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
