import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { eventually, manualClock, receiveAndMirror } from '../../support/bridge-helpers';
import { useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { messageEventEnvelope, viewSubmissionPayload } from '../../support/slack/payloads';
import { postEvent, postInteraction, postSlashCommand } from '../../support/slack/signed-request';

const ANA = '447911123456@c.us';
let n = 0;

/** Quick replies: managed by leads in a modal with a live preview, used by agents as `!shortcut`. */
describe('quick replies', () => {
  const slack = useFakeSlackApi();
  let t: TestApp;
  const time = manualClock();
  beforeEach(async () => {
    t = await startTestApp({ SLACK_LEADS: 'U0LEAD01' }, { slack, clock: time.clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  /** `/wa <text>` answered with a message. */
  async function wa(text: string, user = 'U0LEAD01'): Promise<string> {
    const id = `q${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: user, response_url: slack.responseUrl(id) });
    return String((await slack.waitForResponse((p) => p.id === id)).body.text);
  }
  /** `/wa <text>` answered by opening a modal: returns the view. */
  async function waModal(text: string): Promise<object> {
    const trigger = `trigger-${++n}`;
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text, user_id: 'U0LEAD01', trigger_id: trigger, response_url: slack.responseUrl(`m${n}`) });
    return (await slack.waitFor('views.open', (c) => c.args.trigger_id === trigger)).args.view as object;
  }
  const submit = (values: { shortcut: string; body: string }, editing: string | null = null) =>
    postInteraction(
      t.baseUrl,
      SIGNING_SECRET,
      viewSubmissionPayload({
        callbackId: 'qr_modal',
        privateMetadata: JSON.stringify({ editing }),
        userId: 'U0LEAD01',
        values: { shortcut: { value: { type: 'plain_text_input', value: values.shortcut } }, body: { value: { type: 'plain_text_input', value: values.body } } },
      }),
    );

  it('when a lead adds a quick reply in the modal, then it is saved, listed, and a bad or taken shortcut is refused in the modal', async () => {
    expect(JSON.stringify(await waModal('qr add'))).toContain('The preview appears as you type');
    expect((await submit({ shortcut: 'Thanks', body: 'Thanks {{first_name}}, {{agent}} here.' })).status).toBe(200);
    expect(JSON.parse((await submit({ shortcut: 'thanks', body: 'again' })).body)).toMatchObject({ response_action: 'errors', errors: { shortcut: expect.stringContaining('already exists') } });
    expect(JSON.parse((await submit({ shortcut: 'two words', body: 'x' })).body)).toMatchObject({ response_action: 'errors', errors: { shortcut: expect.any(String) } });
    expect(await wa('qr list', 'U0AGENT')).toMatch(/• `!thanks` — Thanks \{\{first_name\}\}, \{\{agent\}\} here\. _\(used 0×\)_/);
    expect(await wa('qr add', 'U0AGENT')).toMatch(/`\/wa qr add` is for team leads/);
    expect(await wa('qr remove thanks')).toBe('Quick reply `!thanks` removed.');
    expect(await wa('qr list')).toMatch(/No quick replies yet/);
  });

  it('when a lead types in the modal, then the preview shows the text as a contact would get it', async () => {
    const view = await waModal('qr add');
    const payload = {
      type: 'block_actions',
      team: { id: 'T0TEAM', domain: 'test' },
      user: { id: 'U0LEAD01', username: 'lead', team_id: 'T0TEAM' },
      api_app_id: 'A0APP',
      trigger_id: '1.2.5',
      container: { type: 'view', view_id: 'V0QR' },
      view: { ...view, id: 'V0QR', hash: 'h1', state: { values: {} } },
      actions: [{ type: 'plain_text_input', block_id: 'body', action_id: 'value', value: 'Hi {{first_name}} <3', action_ts: '1' }],
    };
    await postInteraction(t.baseUrl, SIGNING_SECRET, payload);
    const update = await slack.waitFor('views.update');
    expect(JSON.stringify(update.args.view)).toContain('*Preview:* Hi Ana &lt;3');
  });

  it('when an agent starts a reply with !shortcut, then WhatsApp gets the filled quick reply (plus what followed); an unknown one sends nothing', async () => {
    await t.app.deps.repos.quickReplies.create({ shortcut: 'thanks', body: 'Thanks {{first_name}}!', author: 'U0LEAD01' });
    await receiveAndMirror(t, { from: ANA, pushName: 'Ana Lima', content: { kind: 'text', text: 'hi' } });
    const thread = (await t.app.deps.repos.contacts.findByWaId(ANA))!.slack!;
    const reply = (text: string, ts: string) => postEvent(t.baseUrl, SIGNING_SECRET, messageEventEnvelope({ text, channel: thread.channel, threadTs: thread.threadTs, ts }));
    await reply('!thanks See you Monday.', '1800000400.000001');
    await eventually(() => t.gateway.sent.length === 1, 'sent');
    expect(t.gateway.sent[0]!.text).toBe('Thanks Ana! See you Monday.');
    await reply('!nope', '1800000400.000002');
    await slack.waitFor('chat.postEphemeral', (c) => /No quick reply `!nope`/.test(String(c.args.text)));
    await t.app.bridge.toWhatsApp.runDue();
    expect(t.gateway.sent).toHaveLength(1);
    expect((await t.app.deps.repos.quickReplies.findByShortcut('thanks'))!.usageCount).toBe(1);
  });
});
