import { readdir, readFile } from 'node:fs/promises';

const PAGE_SIZE = 4096;

/**
 * Resident memory of a process and all its descendants, in bytes — Chromium runs as a tree of
 * processes (browser, renderers, GPU, zygote), and one pid's RSS would hide most of it. Each
 * process counts its proportional share (PSS) of pages it shares with others: summing plain RSS
 * counts Chromium's shared pages once per process and roughly doubles the figure. Falls back to
 * RSS where smaps_rollup is unavailable. Linux only (/proc); undefined elsewhere or when gone.
 *
 * Finding the children means reading every process's stat file: one file at a time, and
 * asynchronously, so the event loop keeps serving requests during the walk (the synchronous walk
 * blocked it for tens of milliseconds on a small machine) and only one libuv worker is taken.
 */
export async function processTreeRssBytes(rootPid: number): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  for (const name of entries) {
    const ppid = await parentOf(Number(name));
    if (ppid === undefined) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  let total = 0;
  let found = false;
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const bytes = (await proportionalBytes(pid)) ?? (await residentBytes(pid));
    if (bytes === undefined) continue;
    found = true;
    total += bytes;
    queue.push(...(children.get(pid) ?? []));
  }
  return found ? total : undefined;
}

async function parentOf(pid: number): Promise<number | undefined> {
  try {
    // The command name (field 2) is in parentheses and may hold spaces; fields after it are fixed.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

async function proportionalBytes(pid: number): Promise<number | undefined> {
  try {
    const kb = /^Pss:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    return Number((await readFile(`/proc/${pid}/statm`, 'utf8')).split(' ')[1]) * PAGE_SIZE;
  } catch {
    return undefined;
  }
}
