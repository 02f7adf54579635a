// A subscription's results, one per source event, each made by `deliver` (which may take its
// turn, charge the subscriber and run the selection: src/graphql/websocket.ts). graphql-js's
// `subscribe` maps events to results the same way but runs every selection at once, with no
// hook between an event and its selection; this is that mapping with the hook.
//
// Written by hand, as the bus's iterator is (src/platform/events/bus.ts): `return()` ends it at
// once, even while it waits for an event or for a delivery's turn.
import type { ExecutionResult } from 'graphql';

/** What becomes of one event: a result to send, or undefined to send nothing (and go on). */
export type Deliver = (event: unknown) => Promise<ExecutionResult | undefined>;

export class DeliveryStream implements AsyncIterableIterator<ExecutionResult> {
  private done = false;

  /** `onEnd` runs once, however the stream ends: completed, failed, or returned by the client. */
  constructor(
    private readonly source: AsyncIterator<unknown>,
    private readonly deliver: Deliver,
    private readonly onEnd: () => void,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    while (!this.done) {
      let step: IteratorResult<unknown>;
      try {
        step = await this.source.next();
      } catch (error) {
        await this.end();
        throw error;
      }
      if (step.done || this.done) break;
      let result: ExecutionResult | undefined;
      try {
        result = await this.deliver(step.value);
      } catch (error) {
        await this.end();
        throw error;
      }
      if (this.done) break;
      if (result) return { value: result, done: false };
    }
    await this.end();
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.end();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.end();
    throw error;
  }

  private async end(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.onEnd();
    await this.source.return?.();
  }

  [Symbol.asyncIterator]() {
    return this;
  }
}
