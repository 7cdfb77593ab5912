import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WEB_CLIENT_HELPERS } from './method-scopes';

/** Slack's Web API method families: `client.chat.postMessage(` names a method, `deps.conversations.list(` does not. */
const FAMILIES = 'admin|api|apps|assistant|auth|bookmarks|bots|calls|canvases|chat|conversations|dialog|dnd|emoji|files|functions|migration|oauth|openid|pins|reactions|reminders|rtm|search|stars|team|usergroups|users|views|workflows';

/** A WebClient — `client`, `app.client`, `deps.slack()` — calling a method of one of those families. */
const CALL = new RegExp(`\\b(?:client|slack\\(\\))\\.((?:${FAMILIES})(?:\\.[a-zA-Z]+)+)\\s*\\(`, 'g');
const API_CALL = /\bapiCall\(\s*['"`]([a-zA-Z.]+)['"`]/g;
const HELPER = new RegExp(`\\b(${Object.keys(WEB_CLIENT_HELPERS).join('|')})\\s*\\(`, 'g');

export interface SlackCallSite {
  method: string;
  file: string;
  line: number;
}

/** Every Web API method `src/` calls, with where (a WebClient helper counts as the methods it calls). */
export function slackCallSites(srcDir = path.join(__dirname, '../../../src')): SlackCallSite[] {
  const sites: SlackCallSite[] = [];
  for (const file of tsFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    const at = (index: number) => ({ file: path.relative(srcDir, file), line: text.slice(0, index).split('\n').length });
    for (const m of text.matchAll(CALL)) sites.push({ method: m[1]!, ...at(m.index) });
    for (const m of text.matchAll(API_CALL)) sites.push({ method: m[1]!, ...at(m.index) });
    for (const m of text.matchAll(HELPER)) for (const method of WEB_CLIENT_HELPERS[m[1]!]!) sites.push({ method, ...at(m.index) });
  }
  return sites;
}

export function slackMethodsCalled(srcDir?: string): Set<string> {
  return new Set(slackCallSites(srcDir).map((s) => s.method));
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** Whether some file under `src/` matches `pattern` (for a scope needed by something other than a Web API call). */
export function srcMatches(pattern: RegExp, srcDir = path.join(__dirname, '../../../src')): boolean {
  return tsFiles(srcDir).some((file) => pattern.test(readFileSync(file, 'utf8')));
}
