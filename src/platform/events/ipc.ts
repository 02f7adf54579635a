// Live events between the worker processes of one host (WEB_CONCURRENCY, src/platform/cluster.ts):
// an EventBus (./bus.ts) that delivers to this worker's listeners at once and to every other
// worker through the primary, which relays each message it gets to the others.
import cluster from 'node:cluster';
import type { CatalogEvent, EventBus } from './bus.ts';

export interface EventMessage {
  type: 'catalog-event';
  channel: string;
  event: CatalogEvent;
}

export function isEventMessage(message: unknown): message is EventMessage {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'catalog-event';
}

/**
 * A worker's event bus: events published here reach this worker's listeners at once and every
 * other worker's through the primary. Outside a cluster worker it is the local bus alone.
 */
export class IpcEventBus implements EventBus {
  constructor(private readonly local: EventBus) {
    if (cluster.isWorker) {
      process.on('message', (message: unknown) => {
        if (isEventMessage(message)) this.local.publish(message.channel, message.event);
      });
    }
  }

  publish(channel: string, event: CatalogEvent): void {
    this.local.publish(channel, event);
    if (cluster.isWorker && process.connected) {
      const message: EventMessage = { type: 'catalog-event', channel, event };
      // Fire and forget, like every bus: a primary that is going away drops the event.
      process.send?.(message, undefined, undefined, () => {});
    }
  }

  subscribe(channel: string, listener: (event: CatalogEvent) => void): () => void {
    return this.local.subscribe(channel, listener);
  }

  publishLocal(channel: string, event: CatalogEvent): void {
    this.local.publishLocal(channel, event);
  }
}
