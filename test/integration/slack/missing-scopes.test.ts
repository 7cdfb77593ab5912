import { SIGNING_SECRET, startTestApp, type TestApp } from '../../support/app-harness';
import { manifestBotScopes, useFakeSlackApi } from '../../support/slack/fake-slack-api';
import { postSlashCommand } from '../../support/slack/signed-request';

/**
 * The real app against a Slack that grants the manifest minus one scope: the call that needs it is
 * refused as Slack refuses it, so a manifest that forgets a scope fails here, not in a workspace.
 */
describe('the app against a workspace that lacks a scope', () => {
  const slack = useFakeSlackApi({ scopes: manifestBotScopes().filter((s) => s !== 'im:write') });
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp({ SLACK_LEADS: 'U0LEAD01' }, { slack });
  });
  afterEach(() => t.stop());

  it('when a lead exports a segment without im:write, then conversations.open is refused with missing_scope and no CSV is sent', async () => {
    await t.app.deps.repos.labels.create({ name: 'vip' });
    await t.app.deps.repos.contacts.recordInbound({ waId: '447700900001@c.us', name: 'Bo Chen', at: new Date() });
    await t.app.deps.repos.contacts.addLabels('447700900001@c.us', ['vip']);
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'segment vip', user_id: 'U0LEAD01', response_url: slack.responseUrl('seg') });
    const answer = await slack.waitForResponse((p) => p.id === 'seg');
    expect(String(answer.body.text)).not.toMatch(/sent to you as a CSV/);
    expect(slack.callsTo('conversations.open')).toHaveLength(1);
    expect(slack.callsTo('files.completeUploadExternal')).toEqual([]);
    // The app's log says what Slack said, which is what an operator needs to fix the manifest.
    expect(JSON.stringify(t.logs)).toMatch(/missing_scope/);
  });

  it('when the manifest scopes are all there, then the same export reaches the lead', async () => {
    slack.setScopes(manifestBotScopes());
    await t.app.deps.repos.labels.create({ name: 'vip' });
    await t.app.deps.repos.contacts.recordInbound({ waId: '447700900001@c.us', name: 'Bo Chen', at: new Date() });
    await t.app.deps.repos.contacts.addLabels('447700900001@c.us', ['vip']);
    await postSlashCommand(t.baseUrl, SIGNING_SECRET, { text: 'segment vip', user_id: 'U0LEAD01', response_url: slack.responseUrl('seg') });
    expect(String((await slack.waitForResponse((p) => p.id === 'seg')).body.text)).toMatch(/sent to you as a CSV/);
    await slack.waitFor('files.completeUploadExternal');
  });
});
