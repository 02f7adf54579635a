// Telling an owner that their endpoint was disabled: an email through the digests' mailer, to
// the address the owner confirmed for a digest (the one address the catalog knows they read).
// Best effort: without SMTP_URL or such an address it is only logged, and a failed send never
// undoes the disabling (`Webhook.disabledReason` says the same).
import type { Db } from '../../platform/db/client.ts';
import type { Logger } from '../../platform/logger.ts';
import { toGlobalId } from '../../platform/global-id.ts';
import { confirmedAddressOf, type Mailer } from '../digests/index.ts';
import { escapeHtml } from '../../platform/html.ts';

export interface NotifyDeps {
  db: Db;
  mailer: Mailer | undefined;
  publicUrl: string | undefined;
  logger: Logger;
}

export async function notifyDisabled(deps: NotifyDeps, endpoint: { endpointId: number; ownerId: number; url: string; reason: string }): Promise<void> {
  const { db, mailer, logger } = deps;
  if (!mailer) return;
  try {
    const to = await confirmedAddressOf(db, endpoint.ownerId);
    if (!to) {
      logger.info({ endpointId: endpoint.endpointId }, 'webhook endpoint disabled: its owner has no confirmed email address to tell');
      return;
    }
    const id = toGlobalId('Webhook', endpoint.endpointId);
    const how = `Fix the receiver, then enable it again: mutation { updateWebhook(input: { webhookId: "${id}", enabled: true }) { webhook { enabled } } }`;
    const where = deps.publicUrl ? ` at ${deps.publicUrl}/graphql` : '';
    await mailer.send({
      to,
      subject: 'Your webhook endpoint was disabled',
      text: `Your webhook endpoint ${endpoint.url} was disabled: ${endpoint.reason}.\n\nEvents are no longer sent to it. ${how}${where}\n`,
      html: `<p>Your webhook endpoint <code>${escapeHtml(endpoint.url)}</code> was disabled: ${escapeHtml(endpoint.reason)}.</p><p>Events are no longer sent to it. ${escapeHtml(how)}${escapeHtml(where)}</p>`,
      messageId: `webhook-disabled.${endpoint.endpointId}.${Date.now()}@paper-catalog`,
    });
  } catch (error) {
    logger.warn({ err: error, endpointId: endpoint.endpointId }, 'webhook endpoint disabled: emailing its owner failed');
  }
}
