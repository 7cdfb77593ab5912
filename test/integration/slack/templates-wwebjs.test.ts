import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload, messageShortcutPayload } from '../../support/slack/payloads';
import { postInteraction } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';

/** whatsapp-web.js has no templates (and no 24-hour window): the template entry points say so plainly. */
describe('templates on the whatsapp-web.js gateway', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({}, { slack });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function anaWrites() {
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'hello' } });
    return (await t.app.deps.repos.contacts.findByWaId(ANA))!;
  }
  const told = () => slack.callsTo('chat.postEphemeral').map((c) => String(c.args.text)).find((x) => x.includes('Templates exist only on the WhatsApp Cloud API'));

  it('when the Send template shortcut is used, then the agent is told templates need the Cloud API, and no modal opens', async () => {
    const contact = await anaWrites();
    await postInteraction(t.baseUrl, SIGNING_SECRET, messageShortcutPayload({ callbackId: 'send_template', channelId: contact.slack!.channel, messageTs: '1800000000.000300', threadTs: contact.slack!.threadTs }));
    await eventually(() => told() !== undefined, 'the plain refusal');
    expect(slack.callsTo('views.open')).toEqual([]);
  });

  it('when a stale "Send a template" button is pressed, then the same plain refusal comes', async () => {
    await anaWrites();
    await postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId: 'template_open', value: ANA }));
    await eventually(() => told() !== undefined, 'the plain refusal');
    expect(slack.callsTo('views.open')).toEqual([]);
  });

  it('when the contact card is drawn, then it shows no reply window and no Send template button', async () => {
    const contact = await anaWrites();
    const card = slack.callsTo('chat.postMessage').find((c) => c.result?.ts === contact.slack!.threadTs)!;
    expect(JSON.stringify(card.args.blocks)).not.toContain('template_open');
    expect(JSON.stringify(card.args.blocks)).not.toContain('reply window');
  });
});
