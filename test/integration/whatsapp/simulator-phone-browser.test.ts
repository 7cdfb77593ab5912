import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { eventually } from '../../support/bridge-helpers';
import { startSimulatorApp, type SimulatorApp } from '../../support/simulator-app';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) process.stderr.write(`simulator phone browser test skipped: no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)\n`);

/** The page's "business phone" button, in a headless Chromium, against the real app on the simulator. */
(haveChromium ? describe : describe.skip)('the simulator page: the business phone', () => {
  const slack = useFakeSlackApi();
  let t: SimulatorApp;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
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
    await Promise.race([page.close(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await t.stop();
  }, 30_000);

  it('when someone sends the phone’s away message from the page, then the page labels it and the Slack thread shows it as the phone’s automatic reply', async () => {
    await page.goto(`${t.baseUrl.replace('127.0.0.1', 'localhost')}/simulator`);
    await page.type('#new-name', 'Ana Lima');
    await page.type('#new-number', '+44 7911 123456');
    await page.click('#new-contact button[type=submit]');
    await page.waitForSelector('.contact[aria-pressed="true"]');
    await page.type('#text', 'Is my order late?');
    await page.click('#send-button');
    await eventually(async () => (await t.app.deps.repos.contacts.findByWaId('447911123456@c.us'))?.slack !== undefined, 'a thread for Ana');

    await page.type('#text', 'We are closed, back Monday 9:00');
    await page.click('#automated');
    await page.click('#phone');
    await page.waitForFunction(`[...document.querySelectorAll('#chat .msg.business')].some((n) => n.textContent.includes('We are closed') && n.textContent.includes('auto-reply (business phone)'))`, { timeout: 10_000 });
    await eventually(() => slack.callsTo('chat.postMessage').some((c) => String(c.args.text).includes('auto-reply (phone)') && String(c.args.text).includes('We are closed')), 'the away message in the thread');
    expect((await t.app.deps.repos.contacts.findByWaId('447911123456@c.us'))!.conversation!.firstResponseAt).toBeUndefined();
  }, 30_000);
});
