// Live events across instances (REDIS_URL): an EventBus (src/platform/events/bus.ts) that delivers
// to this instance's listeners at once, like the in-memory bus, and publishes to every other
// instance over Redis pub/sub.
//
// One Redis channel carries every catalog channel (`<prefix>events`), the catalog channel inside
// the message: an instance subscribes once, whatever its clients watch, and a reconnect has one
// subscription to restore (ioredis does it: `autoResubscribe`). Messages are v8-serialized, as
// the cluster's IPC relay sends them, so the Paper rows in events keep their Dates.
//
// Redis away: publishing still reaches this instance's subscribers (local first, always); what
// other instances miss while it is down is lost, as with any pub/sub. Subscriptions stay open
// and hear other instances again once the subscriber connection is back.
import v8 from 'node:v8';
import type { Redis } from 'ioredis';
import type { CatalogEvent, EventBus } from './bus.ts';
import type { RedisLink } from '../redis/client.ts';

interface Envelope {
  /** The instance that published: it has delivered to its own listeners already. */
  origin: string;
  channel: string;
  event: CatalogEvent;
}

export class RedisEventBus implements EventBus {
  private readonly channel: string;
  private readonly subscriber: Redis;

  constructor(
    private readonly link: RedisLink,
    private readonly local: EventBus,
  ) {
    this.channel = `${link.prefix}events`;
    this.subscriber = link.subscriber();
    this.subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      if (channel.toString() !== this.channel) return;
      let envelope: Envelope;
      try {
        envelope = v8.deserialize(message) as Envelope;
      } catch (error) {
        link.warn('events', 'an undecodable live event from Redis was dropped', error);
        return;
      }
      if (envelope.origin !== link.instanceId) this.local.publish(envelope.channel, envelope.event);
    });
    this.subscriber.subscribe(this.channel).catch((error: unknown) => link.warn('events', 'subscribing to live events on Redis failed', error));
  }

  /** Resolves once this instance hears other instances' events (tests wait for it). */
  async ready(): Promise<void> {
    // The subscribe above is queued until connected; a PING on a subscribed connection is
    // answered after it, in order.
    await this.subscriber.ping();
  }

  publish(channel: string, event: CatalogEvent): void {
    this.local.publish(channel, event);
    const envelope: Envelope = { origin: this.link.instanceId, channel, event };
    this.link.client.publish(this.channel, v8.serialize(envelope)).catch((error: unknown) => {
      this.link.warn('events', 'Redis unreachable: live events reach this instance\'s subscribers only', error);
    });
  }

  subscribe(channel: string, listener: (event: CatalogEvent) => void): () => void {
    return this.local.subscribe(channel, listener);
  }

  publishLocal(channel: string, event: CatalogEvent): void {
    this.local.publishLocal(channel, event);
  }
}
