import fc from 'fast-check';

/** What a contact writes on WhatsApp: an ordinary message or one of the consent keywords. */
export type Word = 'text' | 'STOP' | 'START' | 'YES';

/** One step of the people around the app (texts are numbered by the runner, not generated). */
export type Action =
  | { kind: 'inbound'; contact: number; word: Word }
  /** An agent answers in the contact's thread, through instance `via` (a signed Events API request). */
  | { kind: 'reply'; contact: number; via: number }
  /** An agent records an opt-out with `/wa optout <phone>`, through instance `via`. */
  | { kind: 'optout'; contact: number; via: number }
  /** Two of the above at the same moment, neither waiting for the other. */
  | { kind: 'together'; first: Simple; second: Simple };
export type Simple = Exclude<Action, { kind: 'together' }>;

/** How a store call fails: a dropped connection, an election, or the process dying right there. */
export type StoreEffect = 'network' | 'notPrimary' | 'crash';

export type Fault =
  /** The `at`-th repository call on the inbound and outbound paths (counted after set-up, all instances) fails, before or after it reached the store. */
  | { kind: 'store'; at: number; when: 'before' | 'after'; effect: StoreEffect; downFor?: number }
  /** The `nth` chat.postMessage fails: Slack took it and answered 500, or refused it with 503. */
  | { kind: 'slack'; nth: number; mode: 'accepted500' | 'refused503' }
  /** WhatsApp disconnects before action `at` and comes back `length` actions later. */
  | { kind: 'disconnect'; at: number; length: number }
  /** The `nth` throttle wait lasts past the claim (61 s): the next action, and the other instance's due work, happen meanwhile. */
  | { kind: 'slowSend'; nth: number };

export interface Schedule {
  contacts: number;
  instances: number;
  actions: Action[];
  faults: Fault[];
}

const word = fc.constantFrom<Word>('text', 'text', 'STOP', 'START', 'YES');

function simple(contacts: number, instances: number, mix: { inbound: number; reply: number; optout: number }): fc.Arbitrary<Simple> {
  const contact = fc.integer({ min: 0, max: contacts - 1 });
  const via = fc.integer({ min: 0, max: instances - 1 });
  return fc.oneof(
    { weight: mix.inbound, arbitrary: fc.record({ kind: fc.constant('inbound' as const), contact, word }) },
    { weight: mix.reply, arbitrary: fc.record({ kind: fc.constant('reply' as const), contact, via }) },
    { weight: mix.optout, arbitrary: fc.record({ kind: fc.constant('optout' as const), contact, via }) },
  );
}

function actions(contacts: number, instances: number, mix: { inbound: number; reply: number; optout: number; together: number }): fc.Arbitrary<Action[]> {
  const one = simple(contacts, instances, mix);
  const action: fc.Arbitrary<Action> = fc.oneof(
    { weight: 10, arbitrary: one },
    { weight: mix.together, arbitrary: fc.record({ kind: fc.constant('together' as const), first: one, second: one }) },
  );
  return fc.array(action, { minLength: 1, maxLength: 5 });
}

const storeFault = (maxAt: number, effects: StoreEffect[]): fc.Arbitrary<Fault> =>
  fc.record({
    kind: fc.constant('store' as const),
    at: fc.integer({ min: 1, max: maxAt }),
    when: fc.constantFrom<'before' | 'after'>('before', 'after'),
    effect: fc.constantFrom(...effects),
    downFor: fc.integer({ min: 0, max: 2 }),
  });
const slackFault: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constant('slack' as const),
  nth: fc.integer({ min: 1, max: 6 }),
  mode: fc.constantFrom<'accepted500' | 'refused503'>('accepted500', 'refused503'),
});
const disconnectFault: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constant('disconnect' as const),
  at: fc.integer({ min: 0, max: 4 }),
  length: fc.integer({ min: 1, max: 2 }),
});
const slowSendFault: fc.Arbitrary<Fault> = fc.record({ kind: fc.constant('slowSend' as const), nth: fc.integer({ min: 1, max: 3 }) });

function schedule(contacts: fc.Arbitrary<number>, instances: number, mix: Parameters<typeof actions>[2], fault: fc.Arbitrary<Fault>): fc.Arbitrary<Schedule> {
  return contacts.chain((n) =>
    fc.record({
      contacts: fc.constant(n),
      instances: fc.constant(instances),
      actions: actions(n, instances, mix),
      faults: fc.array(fault, { minLength: 1, maxLength: 2 }),
    }),
  );
}

/** The scenario families, one test file each. Small schedules: many short runs find more than a few long ones. */
export const families = {
  /** WhatsApp → Slack: store errors along recording, consent and posting; Slack failing after (or before) it took a post. */
  inbound: schedule(fc.integer({ min: 1, max: 2 }), 1, { inbound: 8, reply: 1, optout: 1, together: 0 }, fc.oneof({ weight: 3, arbitrary: storeFault(30, ['network', 'notPrimary']) }, { weight: 2, arbitrary: slackFault })),
  /** Slack → WhatsApp: store errors on intake and sending, long throttle waits, WhatsApp disconnects, opt-outs meanwhile. */
  outbound: schedule(fc.constant(1), 1, { inbound: 3, reply: 5, optout: 2, together: 2 }, fc.oneof({ weight: 3, arbitrary: storeFault(40, ['network', 'notPrimary']) }, { weight: 2, arbitrary: slowSendFault }, { weight: 2, arbitrary: disconnectFault })),
  /** A crash between any two writes, a new instance on the same database; WhatsApp disconnects too. */
  crash: schedule(fc.integer({ min: 1, max: 2 }), 1, { inbound: 5, reply: 3, optout: 2, together: 1 }, fc.oneof({ weight: 4, arbitrary: storeFault(45, ['crash']) }, { weight: 1, arbitrary: disconnectFault })),
  /** Two instances on one store, one Slack and one WhatsApp session: long throttle waits, store errors, a crash of either. */
  twoInstances: schedule(fc.constant(1), 2, { inbound: 4, reply: 4, optout: 2, together: 2 }, fc.oneof({ weight: 3, arbitrary: slowSendFault }, { weight: 2, arbitrary: storeFault(40, ['network', 'notPrimary', 'crash']) })),
};

export type Family = keyof typeof families;
