// The digests domain's service surface: what other domains may use of it (the dependency rule
// `domain-to-domain-through-services`, .dependency-cruiser.cjs). The webhooks domain tells an
// endpoint's owner by email through the same mailer, at the address their digest confirmed.
export { smtpMailer, type Mailer, type OutgoingEmail } from './mailer.ts';
export { confirmedAddressOf } from './subscriptions.ts';
