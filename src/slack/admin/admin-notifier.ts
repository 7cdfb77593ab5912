import type { webApi } from '@slack/bolt';
import type { Logger } from '../../logger';
import type { SettingsRepository } from '../../store/repositories/settings-repository';
import type { GatewayStatus, WhatsAppGateway } from '../../whatsapp/gateway';
import { gatewayStateLine } from '../blocks/gateway-state';
import { escapeMrkdwn } from '../mrkdwn';

export interface AdminNotifierOptions {
  client: webApi.WebClient;
  channel: string;
  gateway: WhatsAppGateway;
  settings: SettingsRepository;
  logger: Logger;
  renderQr: (qr: string) => Promise<Buffer>;
}

export interface AdminNotifier {
  /** Resolves once everything seen so far has reached Slack (tests and shutdown wait on it). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Where the one status message lives, so a restart updates it instead of posting another. */
const STATUS_MESSAGE_KEY = 'admin.status-message';
/** Slack's answers meaning "that message is gone": post a fresh one. */
const GONE = new Set(['message_not_found', 'cant_update_message', 'channel_not_found', 'is_archived']);

interface Shown {
  status?: string;
  qr?: string;
  qrFileId?: string;
}

/** Whether the login QR may be posted in the channel, as Slack last answered; why not, if not. */
type Privacy = { private: true } | { private: false; why: 'public' | string };

/**
 * Keeps the admin channel informed without flooding it: ONE status message, edited in place as
 * the WhatsApp state changes, and the login QR as an image while one is waiting to be scanned.
 *
 * A rotating QR is a new upload followed by deleting the previous file: Slack cannot swap the
 * image inside an existing message reliably, and a file upload is the only way to show a locally
 * rendered PNG. Once the state leaves `qr`, the last QR file is deleted — it is a login credential.
 * For the same reason it is posted only in a private channel: `conversations.info` is asked at
 * start and before each new QR (a channel can be made public at any time); a public channel, or
 * one Slack will not describe, gets the status message with a notice instead, and a log line.
 *
 * Work is serialised and coalesced: the gateway can change state faster than Slack accepts
 * updates, and only the latest state matters. Slack errors are logged, never thrown at the gateway.
 */
export function startAdminNotifier(options: AdminNotifierOptions): AdminNotifier {
  const { client, channel, gateway, logger } = options;
  const log = logger.child({ component: 'admin-notifier', channel });
  let latest: { status: GatewayStatus; qr?: string } = { status: gateway.status() };
  const shown: Shown = {};
  let running: Promise<void> = Promise.resolve();
  let dirty = false;
  let stopped = false;
  let privacy: Privacy | undefined;

  const schedule = () => {
    if (stopped || dirty) return;
    dirty = true;
    running = running.then(async () => {
      dirty = false;
      await sync(latest).catch((err: unknown) => log.warn({ err }, 'could not update the admin channel'));
    });
  };

  const unsubscribe = gateway.on((event) => {
    if (event.type === 'state') {
      // A standby instance has nothing to say about the session; the lease holder reports it.
      if (event.status.state === 'standby') return;
      latest = { status: event.status, ...(event.status.state === 'qr' ? { qr: latest.qr } : {}) };
      schedule();
    } else if (event.type === 'qr') {
      latest = { status: gateway.status(), qr: event.qr };
      schedule();
    }
  });

  // Say where things stand at start-up too: the message may show a state from before a restart.
  schedule();

  async function sync(target: { status: GatewayStatus; qr?: string }): Promise<void> {
    const waitingForScan = target.status.state === 'qr' && target.qr !== undefined;
    if (!privacy || (waitingForScan && target.qr !== shown.qr)) await checkPrivacy();
    const mayShow = privacy!.private;
    if (waitingForScan && mayShow && target.qr !== shown.qr) await showQr(target.qr!);
    if ((!waitingForScan || !mayShow) && shown.qrFileId) await removeQr();
    if (!mayShow) shown.qr = target.qr;
    const text = statusText(target.status, waitingForScan, privacy!);
    if (text !== shown.status) {
      await upsertStatus(text);
      shown.status = text;
    }
  }

  /** Asks Slack whether the channel is private; says so in the log when the answer changes. */
  async function checkPrivacy(): Promise<void> {
    const before = privacy;
    try {
      const info = await client.conversations.info({ channel });
      // A private channel shared with another organisation (Slack Connect) reaches people outside the team.
      const shared = info.channel?.is_ext_shared === true || info.channel?.is_shared === true;
      privacy = info.channel?.is_private === true && !shared ? { private: true } : { private: false, why: shared ? 'shared' : 'public' };
    } catch (err) {
      privacy = { private: false, why: (err as { data?: { error?: string } }).data?.error ?? (err instanceof Error ? err.message : String(err)) };
    }
    if (privacy.private || (before && !before.private && before.why === privacy.why)) return;
    if (privacy.why === 'shared') {
      log.error('SLACK_ADMIN_CHANNEL is shared with another organisation (Slack Connect): the WhatsApp login QR is a credential, so it is not posted there. Use a private channel of your own workspace');
    } else if (privacy.why === 'public') {
      log.error('SLACK_ADMIN_CHANNEL is a public channel: the WhatsApp login QR is a credential (whoever scans it first links their phone), so it is not posted there. Make it a private channel with the bot in it');
    } else {
      log.error({ slackError: privacy.why }, `could not check that SLACK_ADMIN_CHANNEL is private (${privacy.why}; conversations.info needs the channels:read and groups:read scopes, and the bot in the channel): the WhatsApp login QR is not posted there`);
    }
  }

  async function showQr(qr: string): Promise<void> {
    const png = await options.renderQr(qr);
    const result = (await client.filesUploadV2({
      channel_id: channel,
      file: png,
      filename: 'whatsapp-login-qr.png',
      title: 'WhatsApp login QR',
      initial_comment: 'Scan with WhatsApp → Settings → Linked devices → Link a device. This code rotates; older ones stop working.',
    })) as unknown as { files?: Array<{ files?: Array<{ id?: string }> }> };
    const previous = shown.qrFileId;
    shown.qr = qr;
    shown.qrFileId = result.files?.[0]?.files?.[0]?.id;
    if (previous) await deleteFile(previous);
  }

  async function removeQr(): Promise<void> {
    const id = shown.qrFileId!;
    shown.qr = undefined;
    shown.qrFileId = undefined;
    await deleteFile(id);
  }

  async function deleteFile(file: string): Promise<void> {
    await client.files.delete({ file }).catch((err: unknown) => log.warn({ err, file }, 'could not delete an old login QR'));
  }

  async function upsertStatus(text: string): Promise<void> {
    const saved = await options.settings.get(STATUS_MESSAGE_KEY);
    const existing = isSavedMessage(saved) && saved.channel === channel ? saved : undefined;
    if (existing) {
      try {
        await client.chat.update({ channel, ts: existing.ts, text, blocks: statusBlocks(text) });
        return;
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        if (!code || !GONE.has(code)) throw err;
        log.info({ slackError: code }, 'the admin status message is gone; posting a new one');
      }
    }
    const posted = await client.chat.postMessage({ channel, text, blocks: statusBlocks(text), unfurl_links: false });
    await options.settings.set(STATUS_MESSAGE_KEY, { channel, ts: posted.ts });
  }

  return {
    idle: async () => {
      // Work scheduled while waiting extends the chain; wait until it stops growing.
      let seen: Promise<void>;
      do {
        seen = running;
        await seen;
      } while (seen !== running);
    },
    async stop() {
      stopped = true;
      unsubscribe();
      await running;
    },
  };
}

function statusText(status: GatewayStatus, waitingForScan: boolean, privacy: Privacy): string {
  if (privacy.private) {
    const hint = waitingForScan ? '\nA login QR is posted below: scan it from the phone that owns the number.' : '';
    return `*WhatsApp:* ${gatewayStateLine(status)}${hint}`;
  }
  const where = privacy.why === 'public' ? 'this channel is public' : `Switchboard could not check that this channel is private (${escapeMrkdwn(privacy.why)})`;
  const waiting = waitingForScan ? 'A login QR is waiting to be scanned, but it is not posted here: ' : 'Login QRs are not posted here: ';
  return (
    `*WhatsApp:* ${gatewayStateLine(status)}\n:warning: ${waiting}${where}, and the QR is a credential — whoever scans it first links their phone. ` +
    'Use a private channel with the bot in it as SLACK_ADMIN_CHANNEL, or scan the QR in the terminal the app runs in.'
  );
}

function statusBlocks(text: string) {
  return [
    { type: 'section', text: { type: 'mrkdwn', text } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Switchboard keeps this one message up to date.' }] },
  ];
}

function isSavedMessage(value: unknown): value is { channel: string; ts: string } {
  const v = value as { channel?: unknown; ts?: unknown } | undefined;
  return typeof v?.channel === 'string' && typeof v.ts === 'string';
}
