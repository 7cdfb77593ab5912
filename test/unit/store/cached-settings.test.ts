import { cachedSettings } from '../../../src/store/repositories/cached-settings';
import type { SettingsRepository } from '../../../src/store/repositories/settings-repository';

function memory(): SettingsRepository & { reads: number; values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  const repo = {
    reads: 0,
    values,
    async get(key: string) {
      repo.reads++;
      return values.get(key);
    },
    async set(key: string, value: unknown) {
      values.set(key, value);
    },
  };
  return repo;
}

describe('cachedSettings', () => {
  it('reads a cached key once while fresh, hands out the same object, and reads again once stale', async () => {
    const inner = memory();
    inner.values.set('hours', { mon: [] });
    let now = 0;
    const cached = cachedSettings(inner, ['hours'], 2_000, () => now);
    const first = await cached.get('hours');
    now = 1_999;
    expect(await cached.get('hours')).toBe(first);
    expect(inner.reads).toBe(1);
    inner.values.set('hours', { tue: [] }); // another instance saved
    now = 2_000;
    expect(await cached.get('hours')).toEqual({ tue: [] });
    expect(inner.reads).toBe(2);
  });

  it('applies a change saved through it at once, and never caches other keys', async () => {
    const inner = memory();
    const cached = cachedSettings(inner, ['hours'], 60_000, () => 0);
    await cached.get('hours');
    await cached.set('hours', { wed: [] });
    expect(await cached.get('hours')).toEqual({ wed: [] });
    expect(inner.values.get('hours')).toEqual({ wed: [] });
    await cached.get('channel-modes');
    await cached.get('channel-modes');
    expect(inner.reads).toBe(3);
  });

  it('keeps nothing when the write fails', async () => {
    const inner = memory();
    inner.set = () => Promise.reject(new Error('store down'));
    const cached = cachedSettings(inner, ['hours'], 60_000, () => 0);
    await expect(cached.set('hours', { thu: [] })).rejects.toThrow('store down');
    expect(await cached.get('hours')).toBeUndefined();
  });
});
