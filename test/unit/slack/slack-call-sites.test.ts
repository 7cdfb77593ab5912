import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { METHOD_SCOPES } from '../../support/slack/method-scopes';
import { slackCallSites } from '../../support/slack/src-slack-calls';

/** The fake refuses a method its scope table does not know; this finds such a method in src/ before any test has to reach it. */
describe('Slack Web API call sites in src/', () => {
  it('when src/ calls a Web API method, then the scope table knows it', () => {
    const unknown = slackCallSites().filter((s) => !(s.method in METHOD_SCOPES));
    expect(unknown.map((s) => `${s.method} (${s.file}:${s.line})`)).toEqual([]);
  });

  it('when the scanner reads src/, then it finds the calls we know are there, helpers included', () => {
    const methods = new Set(slackCallSites().map((s) => s.method));
    for (const m of ['chat.postMessage', 'views.open', 'usergroups.users.list', 'conversations.open', 'files.completeUploadExternal']) expect(methods).toContain(m);
  });

  it('when a file calls a method by client, deps.slack() or apiCall, then the scanner reports it with its line, and not a repository method of the same family name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slack-calls-'));
    try {
      writeFileSync(
        path.join(dir, 'x.ts'),
        ['await client.chat.postMesage({});', 'await deps.slack().reactions.add({});', "await web.apiCall('team.info');", 'await deps.conversations.list();', 'await client.initialize();'].join('\n'),
      );
      expect(slackCallSites(dir).map((s) => [s.method, s.line])).toEqual([
        ['chat.postMesage', 1],
        ['reactions.add', 2],
        ['team.info', 3],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
