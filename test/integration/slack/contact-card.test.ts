import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror, threadPosts } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { blockActionPayload, viewSubmissionPayload } from '../../support/slack/payloads';
import { postInteraction } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';

/** The card's buttons over signed interaction requests: labels, quick reply, opt out. */
describe('contact card buttons', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  let thread: { channel: string; threadTs: string };
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({}, { slack, clock: time.clock });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hello' } });
    thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
  });
  afterEach(async () => {
    await t.stop();
  });

  const press = (actionId: string) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, blockActionPayload({ actionId, value: ANA, channelId: thread.channel, messageTs: thread.threadTs }));
  const submit = (callbackId: string, values: Record<string, Record<string, object>>) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId, privateMetadata: JSON.stringify({ waId: ANA }), values }));
  const buttons = (blocks: unknown) => JSON.stringify(blocks).match(/card_[a-z_]+/g) ?? [];

  it('when a conversation starts, then its card offers labels, quick reply, opt out and (for leads) forget', () => {
    const root = slack.callsTo('chat.postMessage').find((c) => !c.args.thread_ts)!;
    expect(buttons(root.args.blocks)).toEqual(['card_labels', 'card_quick_reply', 'card_opt_out', 'card_forget']);
  });

  it('when an agent presses Opt out, then the ledger names them, the contact gets one confirmation, and the card and thread say so', async () => {
    await press('card_opt_out');
    await eventually(async () => (await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status === 'opted_out', 'opted out');
    const [entry] = await t.app.deps.repos.consentLedger.listForContact(ANA);
    expect(entry).toMatchObject({ type: 'opt_out', source: 'slack:button', actor: 'U0AGENT' });
    const card = await slack.waitFor('chat.update', (c) => c.args.ts === thread.threadTs);
    expect(JSON.stringify(card.args.blocks)).toContain('opted out');
    expect(buttons(card.args.blocks)).toEqual(['card_labels', 'card_quick_reply', 'card_forget']);
    await slack.waitFor('chat.postMessage', (c) => String(c.args.text).includes('Opted out* by <@U0AGENT>'));
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);

    await press('card_opt_out'); // pressed again (an old card): nothing new
    await slack.waitFor('chat.postEphemeral', (c) => /already opted out/.test(String(c.args.text)));
    expect(await t.app.deps.repos.consentLedger.listForContact(ANA)).toHaveLength(1);
  });

  it('when an agent sets labels in the modal, then the contact has exactly those and the card shows them', async () => {
    const { repos } = t.app.deps;
    await repos.labels.create({ name: 'vip' });
    await repos.labels.create({ name: 'billing' });
    await repos.contacts.addLabels(ANA, ['vip', 'legacy-import']);
    await press('card_labels');
    const opened = await slack.waitFor('views.open');
    const element = (opened.args.view as { blocks: Array<{ element: { options: Array<{ value: string }>; initial_options: Array<{ value: string }> } }> }).blocks[0]!.element;
    expect(element.options.map((o) => o.value).sort()).toEqual(['billing', 'vip']);
    expect(element.initial_options.map((o) => o.value)).toEqual(['vip']);

    const res = await submit('card_labels_modal', { labels: { pick: { type: 'multi_static_select', selected_options: [{ value: 'billing' }, { value: '{"$gt":""}' }] } } });
    expect(res.status).toBe(200);
    await eventually(async () => (await repos.contacts.findByWaId(ANA))!.labels.includes('billing'), 'labels saved');
    // Unknown values are ignored; labels that are not in the list (older data) are left alone.
    expect((await repos.contacts.findByWaId(ANA))!.labels.sort()).toEqual(['billing', 'legacy-import']);
    const card = await slack.waitFor('chat.update', (c) => c.args.ts === thread.threadTs);
    expect(JSON.stringify(card.args.blocks)).toContain('`billing`');
  });

  it('when an agent sends a quick reply, then it is filled in, shown in the thread and sent through the gate', async () => {
    await t.app.deps.repos.quickReplies.create({ shortcut: 'thanks', body: 'Thanks {{first_name}} — {{agent}} here. <3', author: 'U0LEAD01' });
    await press('card_quick_reply');
    const opened = await slack.waitFor('views.open');
    expect(JSON.stringify(opened.args.view)).toContain('thanks — Thanks {{first_name}}');
    await submit('card_quick_reply_modal', { qr: { pick: { type: 'static_select', selected_option: { value: 'thanks' } } } });
    await eventually(() => t.gateway.sent.length === 1, 'the quick reply sent');
    expect(t.gateway.sent[0]!.text).toBe('Thanks Ana — user-U0AGENT here. <3');
    const shown = threadPosts(t).find((c) => String(c.args.text).startsWith(':zap:'))!;
    expect(String(shown.args.text)).toContain('Thanks Ana — user-U0AGENT here. &lt;3');
    expect((await t.app.deps.repos.quickReplies.findByShortcut('thanks'))!.usageCount).toBe(1);
  });

  it('when the contact has opted out, then the quick reply modal refuses to send, saying why', async () => {
    await t.app.deps.repos.quickReplies.create({ shortcut: 'thanks', body: 'Thanks!', author: 'U0LEAD01' });
    await receiveAndMirror(t, { from: ANA, content: { kind: 'text', text: 'STOP' } });
    const res = await submit('card_quick_reply_modal', { qr: { pick: { type: 'static_select', selected_option: { value: 'thanks' } } } });
    expect(JSON.parse(res.body)).toMatchObject({ response_action: 'errors', errors: { qr: expect.stringMatching(/opted out on 2026-11-25 via keyword:STOP; not sent/) } });
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent.map((s) => s.text)).toEqual([t.app.deps.config.bridge.optOutConfirmation]);
    await press('card_quick_reply');
    await slack.waitFor('chat.postEphemeral', (c) => /opted out/.test(String(c.args.text)));
    expect(slack.callsTo('views.open')).toHaveLength(0);
  });

  const shortcutOn = (callbackId: string, messageTs: string, threadTs?: string) =>
    postInteraction(t.baseUrl, SIGNING_SECRET, {
      type: 'message_action',
      callback_id: callbackId,
      trigger_id: `trig-${callbackId}`,
      team: { id: 'T0TEAM', domain: 'test' },
      user: { id: 'U0AGENT', username: 'agent', team_id: 'T0TEAM' },
      channel: { id: thread.channel, name: 'inbox' },
      message: { type: 'message', ts: messageTs, ...(threadTs ? { thread_ts: threadTs } : {}), text: 'x' },
      response_url: slack.responseUrl('shortcut'),
      action_ts: '1',
    });

  it('when an agent uses the message shortcuts inside the thread, then they act on that conversation; outside one they say so', async () => {
    await shortcutOn('label_contact', '1700000099.000001', thread.threadTs);
    await slack.waitFor('chat.postEphemeral', (c) => /no labels yet/.test(String(c.args.text)));
    await t.app.deps.repos.quickReplies.create({ shortcut: 'hi', body: 'Hi!', author: 'U0LEAD01' });
    await shortcutOn('send_quick_reply', '1700000099.000002', thread.threadTs);
    await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-send_quick_reply');

    await shortcutOn('opt_out_contact', thread.threadTs); // on the card itself
    const modal = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trig-opt_out_contact');
    const view = modal.args.view as { callback_id: string; private_metadata: string };
    expect(JSON.stringify(view)).toContain('Nothing more will be sent to *Ana Lima*');
    await postInteraction(t.baseUrl, SIGNING_SECRET, viewSubmissionPayload({ callbackId: view.callback_id, privateMetadata: view.private_metadata, values: {} }));
    await eventually(async () => (await t.app.deps.repos.contacts.findByWaId(ANA))!.consent.status === 'opted_out', 'opted out');
    expect((await t.app.deps.repos.consentLedger.listForContact(ANA))[0]).toMatchObject({ source: 'slack:shortcut', actor: 'U0AGENT' });

    await shortcutOn('label_contact', '1700000000.424242'); // a message in no conversation
    await slack.waitFor('chat.postEphemeral', (c) => /Use this on a message in a WhatsApp conversation thread/.test(String(c.args.text)));
  });
});
