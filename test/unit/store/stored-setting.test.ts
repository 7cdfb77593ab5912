import { storedSetting, type SettingParse } from '../../../src/store/repositories/stored-setting';
import type { SettingsRepository } from '../../../src/store/repositories/settings-repository';

function setup() {
  const values = new Map<string, unknown>();
  const settings: SettingsRepository = { get: async (key) => values.get(key), set: async (key, value) => void values.set(key, value) };
  const warnings: unknown[] = [];
  const logger = { warn: (...args: unknown[]) => warnings.push(args) } as never;
  let parses = 0;
  const parse = (raw: unknown): SettingParse<{ n: number }> => {
    parses++;
    return typeof raw === 'object' && raw !== null && typeof (raw as { n?: unknown }).n === 'number' ? { ok: true, n: (raw as { n: number }).n } : { ok: false, errors: { n: 'must be a number' } };
  };
  const store = storedSetting({ settings, logger }, { key: 'k', parse, value: (p) => ({ n: p.n }), fallback: { n: -1 }, invalid: 'invalid' });
  return { values, store, warnings, parses: () => parses };
}

describe('storedSetting', () => {
  it('gives the fallback while nothing is stored, and the stored value once saved', async () => {
    const { store } = setup();
    expect(await store.load()).toEqual({ n: -1 });
    expect(await store.save({ n: 3 })).toEqual({ ok: true, n: 3 });
    expect(await store.load()).toEqual({ n: 3 });
  });

  it('parses a stored value once, however often it is read, and again when it changes', async () => {
    const { store, values, parses } = setup();
    values.set('k', { n: 1 });
    await store.load();
    await store.load();
    expect(parses()).toBe(1);
    values.set('k', { n: 2 });
    expect(await store.load()).toEqual({ n: 2 });
    expect(parses()).toBe(2);
  });

  it('refuses to save what does not parse, and treats a stored value that no longer parses as unset (said once)', async () => {
    const { store, values, warnings } = setup();
    expect(await store.save({ n: 'x' })).toEqual({ ok: false, errors: { n: 'must be a number' } });
    expect(values.has('k')).toBe(false);
    values.set('k', { n: 'hand edited' });
    expect(await store.load()).toEqual({ n: -1 });
    expect(await store.load()).toEqual({ n: -1 });
    expect(warnings).toHaveLength(1);
  });
});
