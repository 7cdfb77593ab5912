import { readdirSync, readFileSync } from 'node:fs';

const PAGE_SIZE = 4096;

/**
 * Resident memory of a process and all its descendants, in bytes — Chromium runs as a tree of
 * processes (browser, renderers, GPU, zygote), and one pid's RSS would hide most of it. Each
 * process counts its proportional share (PSS) of pages it shares with others: summing plain RSS
 * counts Chromium's shared pages once per process and roughly doubles the figure. Falls back to
 * RSS where smaps_rollup is unavailable. Linux only (/proc); undefined elsewhere or when gone.
 */
export function processTreeRssBytes(rootPid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  for (const name of entries) {
    const ppid = parentOf(Number(name));
    if (ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  let total = 0;
  let found = false;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const bytes = proportionalBytes(pid) ?? residentBytes(pid);
    if (bytes === undefined) continue;
    found = true;
    total += bytes;
    queue.push(...(children.get(pid) ?? []));
  }
  return found ? total : undefined;
}

function parentOf(pid: number): number | undefined {
  try {
    // The command name (field 2) is in parentheses and may hold spaces; fields after it are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function proportionalBytes(pid: number): number | undefined {
  try {
    const kb = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function residentBytes(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_SIZE;
  } catch {
    return undefined;
  }
}
