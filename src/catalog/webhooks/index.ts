// The webhooks domain's service surface: what other layers may use of it (the dependency rule
// `domain-to-domain-through-services`, .dependency-cruiser.cjs). Events are written by the
// domains that change things, through src/platform/events/outbox.ts; this domain delivers them.
export { startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './worker.ts';
export { deliveryFor, webhookFor } from './reads.ts';
export { webhookMutations } from './mutations.ts';
