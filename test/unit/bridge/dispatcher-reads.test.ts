import { Dispatcher } from '../../../src/bridge/dispatch/dispatcher';
import type { MessageRepository, StoredMessage } from '../../../src/domain/message';
import { createLogger } from '../../../src/logger';

const ANA = '447911123456@c.us';
const now = () => new Date('2026-12-04T10:00:00Z');

/**
 * A conversation's queue in memory, counting its reads. The dispatcher is never started, so no poll
 * runs: every read comes from a wake.
 */
function memoryQueue() {
  const items: StoredMessage[] = [];
  let seq = 0;
  const queue = {
    reads: 0,
    add(text: string): void {
      items.push({ id: String(++seq).padStart(4, '0'), contactWaId: ANA, direction: 'inbound', body: text, delivery: { state: 'pending', attempts: 0, nextAttemptAt: now() } } as unknown as StoredMessage);
    },
    finish(id: string): void {
      items.find((m) => m.id === id)!.delivery.state = 'sent';
    },
    repository: {
      async unfinished(_direction: string, _contact: string, limit: number) {
        queue.reads++;
        return items.filter((m) => m.delivery.state === 'pending').slice(0, limit).map((m) => ({ ...m, delivery: { ...m.delivery } }));
      },
      async claim(message: StoredMessage) {
        return { message, reclaimed: false };
      },
      async dueConversations() {
        return items.some((m) => m.delivery.state === 'pending') ? [ANA] : [];
      },
    } as unknown as MessageRepository,
  };
  return queue;
}

function dispatcherOver(queue: ReturnType<typeof memoryQueue>, onDeliver: (m: StoredMessage) => void = () => {}) {
  const delivered: string[] = [];
  const dispatcher = new Dispatcher({
    name: 'test',
    direction: 'inbound',
    messages: queue.repository,
    clock: now,
    logger: createLogger({ level: 'silent', pretty: false }),
    deliverer: {
      async deliver(message) {
        delivered.push(message.body ?? '');
        queue.finish(message.id);
        onDeliver(message);
      },
    },
  });
  return { dispatcher, delivered };
}

describe('the dispatcher reads a conversation once per run of messages', () => {
  it('when one message is woken for, then the queue is read once, not once more after it', async () => {
    const queue = memoryQueue();
    const { dispatcher, delivered } = dispatcherOver(queue);
    queue.add('hello');
    dispatcher.wake(ANA);
    await dispatcher.settled();
    expect(delivered).toEqual(['hello']);
    expect(queue.reads).toBe(1);
  });

  it('when a message is stored and woken for while its conversation is being delivered, then it is delivered after the others', async () => {
    const queue = memoryQueue();
    let added = false;
    const { dispatcher, delivered } = dispatcherOver(queue, () => {
      // Stored after the drain's read: only the wake can bring it.
      if (added) return;
      added = true;
      queue.add('late');
      dispatcher.wake(ANA);
    });
    queue.add('one');
    queue.add('two');
    dispatcher.wake(ANA);
    await dispatcher.settled();
    expect(delivered).toEqual(['one', 'two', 'late']);
  });

  it('when the poll finds due work of a conversation being delivered, then it is delivered, without waiting for the next poll', async () => {
    const queue = memoryQueue();
    let added = false;
    const { dispatcher, delivered } = dispatcherOver(queue, () => {
      if (added) return;
      added = true;
      // Stored by someone who does not wake this instance (another instance): the poll finds it.
      queue.add('from elsewhere');
      dispatcher.wake();
    });
    queue.add('one');
    dispatcher.wake(ANA);
    await dispatcher.settled();
    expect(delivered).toEqual(['one', 'from elsewhere']);
  });

  it('when a full batch was read, then the queue is read again for the rest', async () => {
    const queue = memoryQueue();
    const { dispatcher, delivered } = dispatcherOver(queue);
    for (let i = 0; i < 25; i++) queue.add(`m${i}`);
    dispatcher.wake(ANA);
    await dispatcher.settled();
    expect(delivered).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`));
    expect(queue.reads).toBe(2);
  });
});
