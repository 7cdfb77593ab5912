import { classifyNetworkError, classifySendError, type SendDecision } from '../../../../src/whatsapp/cloud/send-errors';

const graphError = (code: number, extra: Record<string, unknown> = {}) => ({
  error: { message: `(#${code}) Some title Meta may reword`, type: 'OAuthException', code, fbtrace_id: 'Axyz', ...extra },
});

describe('Graph API send errors, classified by code', () => {
  it.each<[string, number, number, SendDecision['kind']]>([
    ['re-engagement (outside the 24-hour window)', 131047, 400, 'window_closed'],
    ['the user stopped marketing messages', 131050, 400, 'marketing_stopped'],
    ['throughput limit', 130429, 400, 'rate_limited'],
    ['pair rate limit', 131056, 400, 'rate_limited'],
    ['app-level call limit', 4, 400, 'rate_limited'],
    ['WABA call limit', 80007, 400, 'rate_limited'],
    ['healthy ecosystem (marketing cap)', 131049, 400, 'rejected'],
    ['undeliverable', 131026, 400, 'rejected'],
    ['unsupported message type', 131051, 400, 'rejected'],
    ['invalid parameter', 100, 400, 'rejected'],
    ['template parameter count', 132000, 400, 'rejected'],
    ['template does not exist', 132001, 404, 'rejected'],
    ['template paused', 132015, 400, 'rejected'],
    ['an unlisted template error', 132999, 400, 'rejected'],
    ['expired or invalid token', 190, 401, 'rejected'],
    ['spam rate limit (not retried: it needs a person)', 131048, 400, 'rejected'],
    ['an unknown code on a 4xx', 999999, 400, 'rejected'],
    ['an unknown code on a 5xx', 999999, 503, 'retry'],
    ['a known rejection on a 5xx (the code wins)', 131026, 500, 'rejected'],
  ])('when the error is %s (%d, HTTP %d), then the decision is %s', (_label, code, status, kind) => {
    const decision = classifySendError({ status, body: graphError(code, { error_data: { details: 'Meta details.' } }) });
    expect(decision.kind).toBe(kind);
    expect(decision.code).toBe(code);
    expect(decision.reason).toMatch(/^[A-Z][^{}]+\.$/); // plain words, a sentence
    expect(decision.reason).not.toContain('OAuthException');
  });

  it('when the message text is reworded or missing, then the decision is the same (it never reads the text)', () => {
    const a = classifySendError({ status: 400, body: graphError(131047) });
    const b = classifySendError({ status: 400, body: { error: { code: 131047 } } });
    expect(b).toEqual(a);
  });

  it('when the code comes as a numeric string, then it is read as the number', () => {
    expect(classifySendError({ status: 400, body: { error: { code: '131050' } } }).kind).toBe('marketing_stopped');
  });

  it('when a rejection carries error_data.details, then the reason includes them and the code', () => {
    const decision = classifySendError({ status: 400, body: graphError(131026, { error_data: { messaging_product: 'whatsapp', details: 'Recipient is not a valid WhatsApp user.' } }) });
    expect(decision).toMatchObject({ kind: 'rejected', code: 131026, details: 'Recipient is not a valid WhatsApp user.' });
    expect(decision.reason).toContain('may not be on WhatsApp');
    expect(decision.reason).toContain('131026');
  });

  it('when a template error has a subcode, then it is kept', () => {
    expect(classifySendError({ status: 400, body: graphError(132000, { error_subcode: 2494073 }) })).toMatchObject({ kind: 'rejected', subcode: 2494073 });
  });

  it('when a rate limit comes with Retry-After seconds, then the wait is given in milliseconds', () => {
    expect(classifySendError({ status: 429, body: graphError(130429), retryAfter: '7' })).toMatchObject({ kind: 'rate_limited', retryAfterMs: 7000 });
  });

  it('when Retry-After is an HTTP date, then the wait is measured from now', () => {
    const now = new Date('2026-12-03T10:00:00Z');
    const decision = classifySendError({ status: 429, body: graphError(131056), retryAfter: 'Thu, 03 Dec 2026 10:00:30 GMT', now });
    expect(decision).toMatchObject({ kind: 'rate_limited', retryAfterMs: 30_000 });
  });

  it('when a rate limit has no Retry-After, then no wait is invented', () => {
    const decision = classifySendError({ status: 400, body: graphError(130429) });
    expect(decision.kind).toBe('rate_limited');
    expect(decision).not.toHaveProperty('retryAfterMs');
  });

  it.each([
    ['a 502 with an HTML body', 502, '<html>Bad gateway</html>'],
    ['a 500 with no body', 500, undefined],
    ['a 503 with a Graph error without a code', 503, { error: { message: 'x' } }],
  ])('when the answer is %s, then it is retried', (_label, status, body) => {
    expect(classifySendError({ status, body }).kind).toBe('retry');
  });

  it('when a 429 has no Graph code, then it is a rate limit', () => {
    expect(classifySendError({ status: 429, body: 'Too many' }).kind).toBe('rate_limited');
  });

  it('when a 4xx has no Graph error at all, then it is rejected with the HTTP status in the reason', () => {
    const decision = classifySendError({ status: 404, body: 'nope' });
    expect(decision.kind).toBe('rejected');
    expect(decision.reason).toContain('404');
  });

  it('when the request never got an answer (network), then it is retried', () => {
    expect(classifyNetworkError(new Error('ECONNRESET'))).toMatchObject({ kind: 'retry' });
  });
});
