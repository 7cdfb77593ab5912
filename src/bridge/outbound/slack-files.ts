import type { MediaRef } from '../../domain/message';
import type { MediaRepository } from '../../store/repositories/media-repository';
import { formatBytes } from '../inbound/format-inbound';

export interface SlackFile {
  id: string;
  name?: string;
  mimetype?: string;
  size?: number;
  url_private_download?: string;
}

export interface SlackFilesDeps {
  botToken: string;
  /** Where our token may be sent: Slack's own HTTPS hosts, plus SLACK_API_URL's origin (tests, proxies). */
  apiUrl?: string;
  maxBytes: number;
  media: MediaRepository;
}

/**
 * Downloads the files an agent attached (with the bot token, only from Slack's own hosts) and keeps
 * them in the store until sent. A file that cannot be had comes back with the reason, not thrown.
 */
export async function keepSlackFiles(files: SlackFile[], deps: SlackFilesDeps): Promise<Array<{ name: string; ref?: MediaRef; problem?: string }>> {
  const out: Array<{ name: string; ref?: MediaRef; problem?: string }> = [];
  for (const file of files) {
    const name = file.name ?? file.id;
    const mimetype = file.mimetype ?? 'application/octet-stream';
    if (file.size !== undefined && file.size > deps.maxBytes) {
      out.push({ name, problem: `larger than the ${formatBytes(deps.maxBytes)} limit (${formatBytes(file.size)})` });
      continue;
    }
    const url = file.url_private_download ? safeUrl(file.url_private_download, deps.apiUrl) : undefined;
    if (!url) {
      out.push({ name, problem: 'Slack gave no download link from its own servers' });
      continue;
    }
    const res = await fetch(url, { headers: { authorization: `Bearer ${deps.botToken}` } }).catch(() => undefined);
    if (!res?.ok) {
      out.push({ name, problem: `Slack did not hand over the file (${res ? `HTTP ${res.status}` : 'unreachable'})` });
      continue;
    }
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > deps.maxBytes) {
      out.push({ name, problem: `larger than the ${formatBytes(deps.maxBytes)} limit (${formatBytes(data.length)})` });
      continue;
    }
    const storedId = await deps.media.save({ mimetype, filename: file.name, size: data.length, data });
    out.push({ name, ref: { mimetype, filename: file.name, size: data.length, storedId } });
  }
  return out;
}

function safeUrl(raw: string, apiUrl: string | undefined): string | undefined {
  try {
    const url = new URL(raw);
    const slackHost = url.protocol === 'https:' && (url.hostname === 'slack.com' || url.hostname.endsWith('.slack.com'));
    const apiHost = apiUrl !== undefined && url.origin === new URL(apiUrl).origin;
    return slackHost || apiHost ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}
