export default async function globalTeardown(): Promise<void> {
  await globalThis.__SWITCHBOARD_STORE__?.stop();
}
