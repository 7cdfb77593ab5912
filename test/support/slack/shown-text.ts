import type { FakeSlackApi } from './fake-slack-api';

/** One text Slack would put on screen, and where it came from (for failure messages). */
export interface ShownText {
  where: string;
  text: string;
}

/**
 * What the app gave Slack to show, split by how Slack shows it: `mrkdwn` is parsed (`<…>` is a
 * link, mention or broadcast, `&lt;` an escape), `plain` is shown verbatim.
 */
export interface SlackTexts {
  mrkdwn: ShownText[];
  plain: ShownText[];
}

/** Methods whose top-level `text` is a message (mrkdwn unless `mrkdwn: false`). */
const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.update', 'chat.scheduleMessage']);

/**
 * Every text in what the fake Slack received — Web API calls and `response_url` posts — plus any
 * bodies the app answered Slack with directly (a view submission's `update` or `errors`).
 */
export function slackTexts(slack: Pick<FakeSlackApi, 'calls' | 'responses'>, answered: Array<{ where: string; body: unknown }> = []): SlackTexts {
  const out: SlackTexts = { mrkdwn: [], plain: [] };
  for (const call of slack.calls) {
    const where = call.method;
    const args = call.args;
    if (MESSAGE_METHODS.has(call.method) && typeof args.text === 'string') (args.mrkdwn === false ? out.plain : out.mrkdwn).push({ where: `${where} text`, text: args.text });
    if (typeof args.initial_comment === 'string') out.mrkdwn.push({ where: `${where} initial_comment`, text: args.initial_comment });
    if (typeof args.username === 'string') out.plain.push({ where: `${where} username`, text: args.username });
    if (typeof args.title === 'string') out.plain.push({ where: `${where} title`, text: args.title });
    walk(args.blocks, `${where} blocks`, out);
    walk(args.view, `${where} view`, out);
    walk(args.attachments, `${where} attachments`, out);
  }
  for (const post of slack.responses) {
    if (typeof post.body.text === 'string') (post.body.mrkdwn === false ? out.plain : out.mrkdwn).push({ where: `response ${post.id} text`, text: post.body.text });
    walk(post.body.blocks, `response ${post.id} blocks`, out);
  }
  for (const { where, body } of answered) {
    const doc = body as { view?: unknown; errors?: Record<string, unknown> };
    walk(doc.view, `${where} view`, out);
    for (const [key, text] of Object.entries(doc.errors ?? {})) if (typeof text === 'string') out.plain.push({ where: `${where} errors.${key}`, text });
  }
  return out;
}

/** Text objects anywhere in blocks or a view: `{ type: 'mrkdwn' | 'plain_text', text }`. */
function walk(value: unknown, where: string, out: SlackTexts): void {
  if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${where}/${i}`, out));
  if (typeof value !== 'object' || value === null) return;
  const doc = value as Record<string, unknown>;
  if (typeof doc.text === 'string' && (doc.type === 'mrkdwn' || doc.type === 'plain_text')) {
    (doc.type === 'mrkdwn' ? out.mrkdwn : out.plain).push({ where, text: doc.text });
    return;
  }
  for (const [key, v] of Object.entries(doc)) walk(v, `${where}/${key}`, out);
}

/**
 * The `<…>` sequences the app itself writes; anything else in mrkdwn would be a live link, mention
 * or broadcast made of someone's text. Mentions are of the people acting in the tests only.
 */
const OURS: RegExp[] = [
  /^<@U0(AGENT|LEAD01)>$/,
  /^<#C[A-Z0-9]+>$/,
  /^<!date\^\d+\^[^<>|]+\|[^<>|]*>$/,
  /^<https:\/\/test\.slack\.com\/archives\/[A-Z0-9]+\/p\d+\|(this message|thread|open the thread)>$/,
  /^<https:\/\/www\.openstreetmap\.org\/\?mlat=[-\d.]+&mlon=[-\d.]+#map=17\/[-\d.]+\/[-\d.]+\|[-\d.]+, [-\d.]+>$/,
];

const sequences = (text: string) => text.match(/<[^<>]*>/g) ?? [];

/**
 * What in a mrkdwn text Slack would treat as markup that is not ours: a `<…>` sequence we do not
 * write, a `<` or `>` left raw (outside a sequence, `>` only opens a quote line), or an `&` that is
 * not one of the three escapes (text that was not escaped at all).
 */
export function foreignMarkup(text: string): string[] {
  const found = sequences(text).filter((s) => !OURS.some((re) => re.test(s)));
  const rest = text.replace(/<[^<>]*>/g, (s) => (OURS.some((re) => re.test(s)) ? '' : s));
  if (/</.test(rest.replace(/<[^<>]*>/g, ''))) found.push('a raw <');
  if (rest.split('\n').some((line) => />/.test(line.replace(/^> /, '').replace(/<[^<>]*>/g, '')))) found.push('a raw >');
  if (/&(?!amp;|lt;|gt;)/.test(rest)) found.push('a raw &');
  return found;
}

/** Fails listing every mrkdwn text carrying markup that is not ours. */
export function expectNoForeignMarkup(texts: SlackTexts): void {
  const problems = texts.mrkdwn.flatMap(({ where, text }) => foreignMarkup(text).map((m) => `${where}: ${m} in ${JSON.stringify(text.slice(0, 300))}`));
  expect(problems).toEqual([]);
}

/** A mrkdwn text as a person reads it: our links by their label, then Slack's three escapes decoded once. */
export function asRead(text: string): string {
  return text
    .replace(/<[^<>]*>/g, (s) => (OURS.some((re) => re.test(s)) ? (s.slice(1, -1).split('|')[1] ?? s.slice(1, -1)) : s))
    .replace(/&(amp|lt|gt);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>' })[e]!);
}

/** The mrkdwn texts, as read, that show `typed` exactly as it was typed. */
export function readingShows(texts: SlackTexts, typed: string): ShownText[] {
  return texts.mrkdwn.filter((t) => asRead(t.text).includes(typed));
}
