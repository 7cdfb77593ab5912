import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { SIGNING_SECRET } from '../../support/app-harness';
import { eventually } from '../../support/bridge-helpers';
import { startSimulatorApp, type SimulatorApp } from '../../support/simulator-app';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope } from '../../support/slack/payloads';
import { postEvent } from '../../support/slack/signed-request';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // Skipped, not failed: this test needs a real browser (see chromium-smoke.test.ts).
  process.stderr.write(`simulator browser test skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`);
}

/**
 * The simulator end to end, as someone trying Switchboard uses it: the real app with
 * WHATSAPP_GATEWAY=simulator, the page in a headless Chromium, Slack faked over HTTP.
 */
(haveChromium ? describe : describe.skip)('the simulator page in a real browser', () => {
  const slack = useFakeSlackApi();
  let t: SimulatorApp;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    // As root (CI containers) Chromium cannot use its sandbox; the page loads only our own app.
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    t = await startSimulatorApp(slack);
    page = await browser.newPage();
  });
  afterEach(async () => {
    // A page stuck closing (a loaded CI machine) must not hold the app's stop: the browser is
    // closed after all, and the app cuts connections still open after its grace.
    await Promise.race([page.close(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await t.stop();
  }, 30_000);

  /** Waits until a bubble from `from` shows exactly `text` (a page-side expression: the tests compile without DOM types). */
  const shows = (from: 'customer' | 'business', text: string, timeout = 10_000) =>
    page.waitForFunction(`[...document.querySelectorAll('#chat .msg.${from} .text')].some((n) => n.textContent === ${JSON.stringify(text)})`, { timeout });

  /** The texts of the chat's bubbles from `from`, as shown. */
  const bubbles = (from: 'customer' | 'business') => page.$$eval(`#chat .msg.${from} .text`, (nodes) => nodes.map((n) => n.textContent));

  it('when a customer writes on the page, then it reaches the Slack thread; an agent reply in Slack shows on the page, read', async () => {
    await page.goto(`${t.baseUrl.replace('127.0.0.1', 'localhost')}/simulator`);
    await page.type('#new-name', 'Ana <b>Lima</b>');
    await page.type('#new-number', '+44 7911 123456');
    await page.click('#new-contact button[type=submit]');
    await page.waitForSelector('.contact[aria-pressed="true"]');
    // Names are shown as typed, never as markup.
    expect(await page.$eval('.contact[aria-pressed="true"]', (n) => n.textContent)).toBe('Ana <b>Lima</b> · +447911123456');

    await page.type('#text', 'Is my order on its way?');
    await page.click('#send-button');
    await shows('customer', 'Is my order on its way?');
    const contact = async () => t.app.deps.repos.contacts.findByWaId('447911123456@c.us');
    await eventually(async () => (await contact())?.slack !== undefined, 'a Slack thread for Ana', 10_000);
    const thread = (await contact())!.slack!;
    await eventually(() => slack.callsTo('chat.postMessage').some((c) => c.args.thread_ts === thread.threadTs && String(c.args.text).includes('Is my order on its way?')), 'the message in the Slack thread', 10_000);

    const ts = '1800000000.000101';
    const res = await postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text: 'Yes — it <b>ships</b> today', channel: thread.channel, threadTs: thread.threadTs, ts }));
    expect(res.status).toBe(200);
    await shows('business', 'Yes — it <b>ships</b> today', 15_000);
    expect(await bubbles('business')).toEqual(['Yes — it <b>ships</b> today']);
    // The page showed it, so it is read: the receipt goes back to Slack as a reaction.
    await page.waitForSelector('#chat .msg.business .ack[data-ack="read"]', { timeout: 10_000 });
    await eventually(() => slack.callsTo('reactions.add').some((c) => c.args.timestamp === ts && c.args.name === 'eyes'), 'the read reaction in Slack', 10_000);

    await page.click('#stop');
    await eventually(async () => (await contact())?.consent.status === 'opted_out', 'the opt-out from the STOP button', 10_000);
  });
});
