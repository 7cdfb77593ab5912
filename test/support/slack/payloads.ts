/** Slack payload factories, shaped as Slack sends them, with overrides. */

/** Slack gives every interaction its own trigger_id and action_ts: a request repeating them is a copy (refused as a replay). */
let interactions = 0;

export function blockActionPayload(overrides: { actionId: string; value?: string; userId?: string; channelId?: string; messageTs?: string; responseUrl?: string }) {
  const n = ++interactions;
  return {
    type: 'block_actions',
    team: { id: 'T0TEAM', domain: 'test' },
    user: { id: overrides.userId ?? 'U0AGENT', username: 'agent', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    trigger_id: `${n}.2.3`,
    channel: { id: overrides.channelId ?? 'C0INBOX01', name: 'inbox' },
    container: { type: 'message', message_ts: overrides.messageTs ?? '1700000000.000001', channel_id: overrides.channelId ?? 'C0INBOX01' },
    message: { ts: overrides.messageTs ?? '1700000000.000001', type: 'message', text: '' },
    response_url: overrides.responseUrl ?? 'http://127.0.0.1:9/response/none',
    actions: [{ type: 'button', action_id: overrides.actionId, block_id: 'b', value: overrides.value ?? '', action_ts: `1700000000.${n}` }],
  };
}

/** An Events API envelope around a thread reply (or any message event). */
export function messageEventEnvelope(overrides: { text: string; userId?: string; channel?: string; ts?: string; threadTs?: string; botId?: string; eventId?: string; subtype?: string; files?: object[] }) {
  return {
    token: 'legacy',
    team_id: 'T0TEAM',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: overrides.eventId ?? `Ev${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel: overrides.channel ?? 'C0INBOX01',
      user: overrides.userId ?? 'U0AGENT',
      text: overrides.text,
      ts: overrides.ts ?? '1700000001.000100',
      ...(overrides.threadTs ? { thread_ts: overrides.threadTs } : {}),
      ...(overrides.botId ? { bot_id: overrides.botId } : {}),
      ...(overrides.subtype ? { subtype: overrides.subtype } : {}),
      ...(overrides.files ? { files: overrides.files } : {}),
      channel_type: 'channel',
    },
  };
}

function changeEnvelope(event: object) {
  return { token: 'legacy', team_id: 'T0TEAM', api_app_id: 'A0APP', type: 'event_callback', event_id: `Ev${Date.now()}${Math.random()}`, event_time: Math.floor(Date.now() / 1000), event };
}

/** An agent edited a message (Slack's `message_changed`). */
export function messageChangedEnvelope(o: { channel: string; ts: string; threadTs: string; text: string; previousText?: string; userId?: string }) {
  const user = o.userId ?? 'U0AGENT';
  return changeEnvelope({
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel: o.channel,
    ts: `${o.ts}9`,
    message: { type: 'message', user, text: o.text, ts: o.ts, thread_ts: o.threadTs, edited: { user, ts: `${o.ts}9` } },
    previous_message: { type: 'message', user, text: o.previousText ?? '', ts: o.ts, thread_ts: o.threadTs },
    channel_type: 'channel',
  });
}

/** An agent deleted a message (Slack's `message_deleted`). */
export function messageDeletedEnvelope(o: { channel: string; ts: string; threadTs: string; userId?: string }) {
  return changeEnvelope({
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    channel: o.channel,
    ts: `${o.ts}8`,
    deleted_ts: o.ts,
    previous_message: { type: 'message', user: o.userId ?? 'U0AGENT', text: 'deleted', ts: o.ts, thread_ts: o.threadTs },
    channel_type: 'channel',
  });
}

/** A modal submitted (view_submission), with its state values as Slack sends them. */
export function viewSubmissionPayload(o: { callbackId: string; privateMetadata: string; values: Record<string, Record<string, object>>; userId?: string }) {
  return {
    type: 'view_submission',
    team: { id: 'T0TEAM', domain: 'test' },
    user: { id: o.userId ?? 'U0AGENT', username: 'agent', name: 'agent', team_id: 'T0TEAM' },
    api_app_id: 'A0APP',
    trigger_id: `${++interactions}.2.4`,
    view: {
      id: 'V0MODAL',
      type: 'modal',
      callback_id: o.callbackId,
      private_metadata: o.privateMetadata,
      state: { values: o.values },
      hash: 'h',
    },
  };
}

/** A message shortcut (Slack's `message_action`) used on a message, by default in the inbox. */
export function messageShortcutPayload(o: { callbackId: string; messageTs: string; threadTs?: string; userId?: string; channelId?: string; triggerId?: string }) {
  return {
    type: 'message_action',
    callback_id: o.callbackId,
    trigger_id: o.triggerId ?? `trig-${o.callbackId}`,
    team: { id: 'T0TEAM', domain: 'test' },
    user: { id: o.userId ?? 'U0AGENT', username: 'agent', team_id: 'T0TEAM' },
    channel: { id: o.channelId ?? 'C0INBOX01', name: 'inbox' },
    message: { type: 'message', ts: o.messageTs, ...(o.threadTs ? { thread_ts: o.threadTs } : {}), text: 'x' },
    response_url: 'http://127.0.0.1:9/response/none',
    action_ts: '1',
  };
}

/** Someone opened the app's Home tab. */
export function appHomeOpenedEnvelope(userId = 'U0AGENT') {
  return {
    token: 'legacy',
    team_id: 'T0TEAM',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: `EvHome${Date.now()}${Math.random()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user: userId, channel: 'D0HOME', tab: 'home', event_ts: '1.2' },
  };
}
