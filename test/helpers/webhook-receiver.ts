// A webhook receiver on loopback, as a subscriber would write one: every request is verified
// with the `standardwebhooks` package (the spec authors' own library, not this service's code)
// against the secrets the test gives it, and kept with what it answered. What it answers is the
// test's to decide, request by request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  webhookId: string;
  timestamp: string;
  signature: string;
  /** The parsed body: { type, timestamp, data }. */
  body: any;
  raw: string;
  /** Which of the receiver's secrets verified it (none: empty). */
  verifiedWith: string[];
  /** What the receiver answered. */
  status: number;
  at: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  /** Never answer (the sender's timeout or a crash ends it). */
  hang?: boolean;
}

export interface Receiver {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly received: Received[];
  /** Secrets deliveries are verified with (set after createWebhook). */
  secrets: string[];
  /** Decides each answer; default 204. */
  answer: (request: Omit<Received, 'status' | 'at'>, index: number) => Answer;
  /** Deliveries answered with a 2xx, by webhook-id. */
  delivered(): Map<string, Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<http.ServerResponse>();
  const receiver: Receiver = {
    url: '',
    received: [],
    secrets: [],
    answer: () => ({ status: 204 }),
    delivered() {
      const byId = new Map<string, Received[]>();
      for (const r of receiver.received) {
        if (r.status < 200 || r.status >= 300) continue;
        byId.set(r.webhookId, [...(byId.get(r.webhookId) ?? []), r]);
      }
      return byId;
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = { 'webhook-id': String(request.headers['webhook-id'] ?? ''), 'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''), 'webhook-signature': String(request.headers['webhook-signature'] ?? '') };
      const verifiedWith = receiver.secrets.filter((secret) => {
        try {
          new Webhook(secret).verify(raw, headers);
          return true;
        } catch {
          return false;
        }
      });
      let body: unknown = null;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as raw
      }
      const seen = { webhookId: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, raw, verifiedWith };
      const answer = receiver.answer(seen, receiver.received.length);
      if (answer.hang) {
        hanging.add(response);
        receiver.received.push({ ...seen, status: 0, at: Date.now() });
        return;
      }
      receiver.received.push({ ...seen, status: answer.status, at: Date.now() });
      response.writeHead(answer.status, answer.headers ?? {});
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
