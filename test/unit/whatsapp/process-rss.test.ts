import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { processTreeRssBytes } from '../../../src/whatsapp/process-rss';

describe('memory of a process tree', () => {
  it('when a process has a child, then the tree figure includes the child; a gone process has none', async () => {
    // sh → node: the node child holds a 64 MB buffer, so the tree must be well above sh alone.
    const child = spawn('sh', ['-c', `${process.execPath} -e "globalThis.b = Buffer.alloc(64 * 1024 * 1024, 1); console.log(process.pid); setInterval(() => {}, 1000)" & wait`], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let grandchild: number | undefined;
    try {
      grandchild = Number(String(await once(child.stdout!, 'data')));
      const tree = (await processTreeRssBytes(child.pid!))!;
      expect(tree).toBeGreaterThan(64 * 1024 * 1024);
    } finally {
      if (grandchild) process.kill(grandchild);
      child.kill();
      await once(child, 'exit');
    }
    expect(await processTreeRssBytes(child.pid!)).toBeUndefined();
  });

  it('when the tree is walked, then the event loop keeps turning during the walk instead of waiting for all of /proc', async () => {
    let turns = 0;
    let walking = true;
    const spin = () => {
      if (!walking) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const bytes = await processTreeRssBytes(process.pid);
    walking = false;
    expect(bytes).toBeGreaterThan(0);
    // A synchronous walk finishes before the first immediate runs: zero turns.
    expect(turns).toBeGreaterThan(2);
  });
});
