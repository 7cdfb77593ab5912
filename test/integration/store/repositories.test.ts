import { createHash } from 'node:crypto';
import { loadConfig } from '../../../src/config';
import { createPrivacy } from '../../../src/privacy/privacy';
import { createModels, syncIndexes, type Models } from '../../../src/store/models';
import { createRepositories, type Repositories } from '../../../src/store/repositories';
import { testPrivacy } from '../../support/privacy';
import { consentEvent, inboundSighting, newInboundMessage, waId } from '../../support/factories';
import { validEnv } from '../../support/env';
import { useTestDb } from '../../support/mongo';

describe('repositories over a real MongoDB wire connection', () => {
  const ctx = useTestDb();
  let now = new Date('2026-11-01T10:00:00Z');
  let models: Models;
  let repos: Repositories;

  beforeAll(async () => {
    models = createModels(ctx.mongoose);
    await syncIndexes(models);
    repos = createRepositories(models, () => now, testPrivacy());
  });

  describe('seen requests', () => {
    it('when sightings arrive in one turn, some of the same key, then each key is first exactly once, across turns too', async () => {
      const until = new Date(now.getTime() + 600_000);
      const sights = await Promise.all(['sig-a', 'sig-b', 'sig-a', 'sig-c', 'sig-a'].map((key) => repos.seenRequests.firstSight(key, now, until)));
      expect(sights).toEqual([true, true, false, true, false]);
      expect(await repos.seenRequests.firstSight('sig-b', now, until)).toBe(false);
      expect(await repos.seenRequests.firstSight('sig-d', now, until)).toBe(true);
    });
  });

  describe('contacts', () => {
    it('when a contact writes first, then it is created with E.164, unknown consent and active', async () => {
      const sighting = inboundSighting({ waId: '447911123456@c.us' });
      const contact = await repos.contacts.recordInbound(sighting);
      expect(contact).toMatchObject({
        waId: '447911123456@c.us',
        e164: '+447911123456',
        name: 'Ana Lima',
        labels: [],
        consent: { status: 'unknown' },
        activity: { status: 'active' },
        lastInboundAt: sighting.at,
      });
    });

    it('when an @lid contact writes, then its id is kept as it arrived and no phone is guessed', async () => {
      const contact = await repos.contacts.recordInbound(inboundSighting({ waId: '123456789012345@lid' }));
      expect(contact.waId).toBe('123456789012345@lid');
      expect(contact.e164).toBeUndefined();
    });

    it('when the same contact writes twice at once, then one contact exists', async () => {
      const id = waId();
      await Promise.all([1, 2, 3].map(() => repos.contacts.recordInbound(inboundSighting({ waId: id }))));
      expect(await models.Contact.countDocuments({ waId: id })).toBe(1);
    });

    it('when an older message arrives late, then lastInboundAt does not go back', async () => {
      const id = waId();
      await repos.contacts.recordInbound(inboundSighting({ waId: id, at: new Date('2026-11-02T00:00:00Z') }));
      const contact = await repos.contacts.recordInbound(inboundSighting({ waId: id, at: new Date('2026-11-01T00:00:00Z') }));
      expect(contact.lastInboundAt).toEqual(new Date('2026-11-02T00:00:00Z'));
    });

    it('when an inactive contact writes, then it is active again; an archived one stays archived', async () => {
      const inactive = waId();
      const archived = waId();
      await repos.contacts.recordInbound(inboundSighting({ waId: inactive }));
      await repos.contacts.recordInbound(inboundSighting({ waId: archived }));
      await models.Contact.updateOne({ waId: inactive }, { $set: { activity: { status: 'inactive', reason: 'no inbound for 90 days' } } });
      await models.Contact.updateOne({ waId: archived }, { $set: { activity: { status: 'archived', reason: 'lead' } } });
      expect((await repos.contacts.recordInbound(inboundSighting({ waId: inactive }))).activity.status).toBe('active');
      expect((await repos.contacts.recordInbound(inboundSighting({ waId: archived }))).activity.status).toBe('archived');
    });

    it('when asked for the newest inbound time, then contacts that never wrote (no lastInboundAt) do not hide it', async () => {
      const latest = new Date('2030-01-01T00:00:00Z');
      await models.Contact.collection.insertOne({ waId: waId(), labels: [] });
      await repos.contacts.recordInbound(inboundSighting({ waId: waId(), at: latest }));
      await models.Contact.collection.insertOne({ waId: waId(), labels: [], lastInboundAt: null });
      expect(await repos.contacts.latestInboundAt()).toEqual(latest);
    });

    it('when numbers were erased, then erasedAt tells when, for those only; a filter object matches nothing', async () => {
      const [gone, kept] = [waId(), waId()];
      await repos.contacts.recordInbound(inboundSighting({ waId: gone }));
      await repos.contacts.erase(gone, new Date('2026-11-03T00:00:00Z'));
      expect(await repos.contacts.erasedAt([gone, kept])).toEqual(new Map([[gone, new Date('2026-11-03T00:00:00Z')]]));
      expect(await repos.contacts.erasedAt([{ $gt: '' } as unknown as string])).toEqual(new Map());
    });

    it('when a number is erased, then its suppression id is a keyed HMAC: neither the number nor its plain SHA-256 is stored', async () => {
      const gone = waId();
      await repos.contacts.recordInbound(inboundSighting({ waId: gone }));
      await repos.contacts.erase(gone, now, 'U0LEAD01');
      const ids = (await models.Suppression.find().lean<Array<{ _id: string }>>()).map((d) => d._id);
      expect(ids).toContain(testPrivacy().suppressionKey(gone));
      expect(ids).not.toContain(createHash('sha256').update(`switchboard-suppression:${gone}`).digest('hex'));
      expect(JSON.stringify(await models.Suppression.find().lean())).not.toContain(gone.split('@')[0]);
      expect(await repos.contacts.suppressionOf(gone)).toEqual({ reason: 'erased', at: now, by: 'U0LEAD01' });
    });

    it('when a suppression was kept under a rotated-out key or the old unkeyed hash, then it is still found and moved to the current key', async () => {
      const [rotated, legacy] = [waId(), waId()];
      const oldKey = 'the-previous-key-0123456789abcdef0123456';
      const before = createPrivacy({ key: oldKey, previousKeys: [], ephemeral: false });
      await models.Suppression.create({ _id: before.suppressionKey(rotated), reason: 'erased', at: now });
      await models.Suppression.create({ _id: createHash('sha256').update(`switchboard-suppression:${legacy}`).digest('hex'), reason: 'erased', at: now });
      const current = testPrivacy();
      const afterRotation = createRepositories(models, () => now, createPrivacy({ key: loadConfig(validEnv()).privacy.key, previousKeys: [oldKey], ephemeral: false }));
      expect(await afterRotation.contacts.erasedAt([rotated, legacy])).toEqual(new Map([[rotated, now], [legacy, now]]));
      const ids = (await models.Suppression.find().lean<Array<{ _id: string }>>()).map((d) => d._id);
      expect(ids).toEqual(expect.arrayContaining([current.suppressionKey(rotated), current.suppressionKey(legacy)]));
      expect(ids).not.toContain(before.suppressionKey(rotated));
      expect(ids).not.toContain(createHash('sha256').update(`switchboard-suppression:${legacy}`).digest('hex'));
    });

    it('when a number with an old-key suppression is erased again, then only the current key remains', async () => {
      const twice = waId();
      const legacyId = createHash('sha256').update(`switchboard-suppression:${twice}`).digest('hex');
      await models.Suppression.create({ _id: legacyId, reason: 'erased', at: now });
      await repos.contacts.erase(twice, now, 'U0LEAD01');
      const ids = (await models.Suppression.find().lean<Array<{ _id: string }>>()).map((d) => d._id);
      expect(ids).toContain(testPrivacy().suppressionKey(twice));
      expect(ids).not.toContain(legacyId);
    });

    it('when a thread is set twice, then the first one stays', async () => {
      const id = waId();
      await repos.contacts.recordInbound(inboundSighting({ waId: id }));
      await repos.contacts.setSlackConversation(id, { channel: 'C0INBOX01', threadTs: '1.000100' });
      const contact = await repos.contacts.setSlackConversation(id, { channel: 'C0INBOX01', threadTs: '2.000200' });
      expect(contact?.slack).toEqual({ channel: 'C0INBOX01', threadTs: '1.000100' });
    });

    it('when labels are added twice and removed, then each appears once and then not at all', async () => {
      const id = waId();
      await repos.contacts.recordInbound(inboundSighting({ waId: id }));
      await repos.contacts.addLabels(id, ['vip', 'billing']);
      expect((await repos.contacts.addLabels(id, ['vip']))?.labels).toEqual(['vip', 'billing']);
      expect((await repos.contacts.removeLabels(id, ['vip']))?.labels).toEqual(['billing']);
    });

    it('when a lookup is given an operator object, then it matches nothing', async () => {
      await repos.contacts.recordInbound(inboundSighting());
      expect(await repos.contacts.findByWaId({ $gt: '' } as unknown as string)).toBeNull();
      expect(await repos.contacts.findByE164({ $ne: null } as unknown as string)).toBeNull();
    });
  });

  describe('consent ledger', () => {
    it('when entries are appended, then they list newest first with their exact wording', async () => {
      const contact = waId();
      await repos.consentLedger.append(consentEvent({ contact, type: 'opt_in_requested', evidence: 'Reply YES to receive order updates.', at: new Date('2026-11-01T09:00:00Z') }));
      await repos.consentLedger.append(consentEvent({ contact, type: 'opt_in_confirmed', evidence: 'YES', at: new Date('2026-11-01T09:05:00Z') }));
      const entries = await repos.consentLedger.listForContact(contact);
      expect(entries.map((e) => [e.type, e.evidence])).toEqual([
        ['opt_in_confirmed', 'YES'],
        ['opt_in_requested', 'Reply YES to receive order updates.'],
      ]);
    });

    it('when the ledger is used, then it offers no way to change or remove an entry', () => {
      expect(Object.keys(repos.consentLedger).sort()).toEqual(['append', 'appendOnce', 'countByType', 'listForContact']);
      expect(Object.isFrozen(repos.consentLedger)).toBe(true);
    });
  });

  describe('messages', () => {
    it('when the same WhatsApp message is recorded twice, then one row exists and the second is a duplicate', async () => {
      const message = newInboundMessage();
      const first = await repos.messages.recordInbound(message);
      const second = await repos.messages.recordInbound(message);
      expect(first.duplicate).toBe(false);
      expect(second).toEqual({ message: first.message, duplicate: true });
      expect(await models.Message.countDocuments({ waMessageId: message.waMessageId })).toBe(1);
      expect(first.message.delivery).toMatchObject({ state: 'pending', attempts: 0 });
    });

    it('when a message has fields left undefined, then the stored document leaves them out rather than storing nulls', async () => {
      const message = newInboundMessage({ kind: 'media', body: undefined, media: { mimetype: 'image/jpeg', filename: undefined, size: undefined } });
      await repos.messages.recordInbound(message);
      const raw = await models.Message.collection.findOne({ waMessageId: message.waMessageId });
      expect(raw).not.toHaveProperty('body');
      expect(raw!.media).toEqual({ mimetype: 'image/jpeg' });
    });

    it('when asked which WhatsApp ids are stored, then only those come back; a filter object matches nothing', async () => {
      const stored = newInboundMessage();
      await repos.messages.recordInbound(stored);
      expect(await repos.messages.knownWaIds([stored.waMessageId, 'false_0@c.us_NEVER'])).toEqual(new Set([stored.waMessageId]));
      expect(await repos.messages.knownWaIds([{ $ne: '' } as unknown as string])).toEqual(new Set());
    });
  });

  describe('quick replies and labels', () => {
    it('when a shortcut is taken, then creating it again is a coded error and nothing changes', async () => {
      await repos.quickReplies.create({ shortcut: 'hours', body: 'We are open 9–17, {{first_name}}.', author: 'U0LEAD01' });
      const again = repos.quickReplies.create({ shortcut: 'hours', body: 'other', author: 'U0LEAD02' });
      await expect(again).rejects.toMatchObject({ code: 'QUICK_REPLY_EXISTS' });
      expect((await repos.quickReplies.findByShortcut('hours'))?.body).toBe('We are open 9–17, {{first_name}}.');
    });

    it('when a quick reply is used, then its usage count grows', async () => {
      await repos.quickReplies.create({ shortcut: 'thanks', body: 'Thank you!', author: 'U0LEAD01' });
      await repos.quickReplies.incrementUsage('thanks');
      await repos.quickReplies.incrementUsage('thanks');
      expect((await repos.quickReplies.findByShortcut('thanks'))?.usageCount).toBe(2);
    });

    it('when a label is created twice, then the second is a coded error; a route can be set and cleared', async () => {
      await repos.labels.create({ name: 'billing', emoji: ':moneybag:' });
      await expect(repos.labels.create({ name: 'billing' })).rejects.toMatchObject({ code: 'LABEL_EXISTS' });
      expect((await repos.labels.setRoute('billing', 'C0BILLING'))?.routeChannel).toBe('C0BILLING');
      expect((await repos.labels.setRoute('billing', null))?.routeChannel).toBeUndefined();
    });

    it('when a label is renamed, then only a free name is taken, and operators smuggled in as names match nothing', async () => {
      await repos.labels.create({ name: 'gold' });
      await repos.labels.create({ name: 'silver' });
      await expect(repos.labels.rename('gold', 'silver')).rejects.toMatchObject({ code: 'LABEL_EXISTS' });
      expect(await repos.labels.rename('bronze', 'copper')).toBeNull();
      const operator = { $gt: '' } as unknown as string;
      expect(await repos.labels.rename(operator, 'copper')).toBeNull();
      expect(await repos.contacts.renameLabelEverywhere(operator, 'copper')).toBe(0);
      expect((await repos.labels.rename('gold', 'platinum'))?.name).toBe('platinum');
      expect((await repos.labels.list()).map((l) => l.name)).toEqual(expect.arrayContaining(['platinum', 'silver']));
      expect(await repos.labels.findByName('gold')).toBeNull();
    });
  });

  describe('leases', () => {
    it('when two instances race for a lease, then one holds it until it lapses; the next holder gets a larger token', async () => {
      now = new Date('2026-11-01T10:00:00Z');
      const [a, b] = await Promise.all([repos.leases.acquire('whatsapp', 'A', 30_000), repos.leases.acquire('whatsapp', 'B', 30_000)]);
      const winner = a ?? b;
      expect([a, b].filter(Boolean)).toHaveLength(1);
      const loser = winner!.holder === 'A' ? 'B' : 'A';
      expect(await repos.leases.acquire('whatsapp', loser, 30_000)).toBeNull();
      expect(await repos.leases.isCurrent('whatsapp', winner!.holder, winner!.token)).toBe(true);

      now = new Date('2026-11-01T10:00:31Z');
      expect(await repos.leases.isCurrent('whatsapp', winner!.holder, winner!.token)).toBe(false);
      const taken = await repos.leases.acquire('whatsapp', loser, 30_000);
      expect(taken).toMatchObject({ holder: loser });
      expect(taken!.token).toBeGreaterThan(winner!.token);
    });

    it('when the holder renews in time, then it keeps its token', async () => {
      now = new Date('2026-11-01T12:00:00Z');
      const first = await repos.leases.acquire('jobs', 'A', 30_000);
      now = new Date('2026-11-01T12:00:20Z');
      const renewed = await repos.leases.acquire('jobs', 'A', 30_000);
      expect(renewed).toMatchObject({ holder: 'A', token: first!.token, expiresAt: new Date('2026-11-01T12:00:50Z') });
    });
  });

  describe('indexes', () => {
    it('when the app starts, then every declared index exists, unique where declared', async () => {
      const indexes = await ctx.db.collection('contacts').indexes();
      expect(indexes.find((i) => i.name === 'waId_1')).toMatchObject({ unique: true });
      const messageIndexes = await ctx.db.collection('messages').indexes();
      expect(messageIndexes.find((i) => i.name === 'waMessageId_1')).toMatchObject({ unique: true });
      const lockIndexes = await ctx.db.collection('locks').indexes();
      expect(lockIndexes.find((i) => i.name === 'expiresAt_1')).toMatchObject({ expireAfterSeconds: 86_400 });
    });
  });
});
