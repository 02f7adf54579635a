// npm run digest:send [-- --at 2026-07-31T08:00:00Z]
// Sends pending confirmation emails, then every digest due now (or at --at), once: run it from
// cron (every hour is plenty), or set DIGEST_SCHEDULER=true to have the server do it. A rerun
// after a crash sends nobody a digest twice (the rule is in send.ts). Exit code 1 when the run
// stopped early (SMTP unreachable, an email in doubt); its report says how far it got.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { cliPlatform } from './platform.ts';
import { smtpMailer } from '../catalog/digests/mailer.ts';
import { DigestRunAborted, sendConfirmations, sendDueDigests } from '../catalog/digests/send.ts';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { at: { type: 'string' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: npm run digest:send [-- --at <ISO date-time>]`);
    return 2;
  }
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime())) {
    console.error(`--at must be an ISO date-time like 2026-07-31T08:00:00Z; got "${values.at}"`);
    return 2;
  }
  const config = loadConfig();
  const follow = config.follow;
  if (follow.secrets.length === 0) throw new ConfigError('DIGEST_SECRET must be set to sign the links in digests (openssl rand -base64 32)');
  if (!follow.smtpUrl) throw new ConfigError('SMTP_URL must be set to send digests, e.g. smtp://user:pass@mail.example.org:587');

  const database = await openDatabase(config);
  const mailer = smtpMailer({ url: follow.smtpUrl, from: follow.from, connections: follow.smtpConnections });
  const abort = new AbortController();
  const stop = () => {
    console.error('Stopping after the emails in flight…');
    abort.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const deps = { platform: cliPlatform(database, config), mailer, secrets: follow.secrets, publicUrl: follow.linkBaseUrl, from: follow.from, signal: abort.signal };
  try {
    const confirmations = await sendConfirmations({ ...deps, limit: 10_000, concurrency: follow.smtpConnections });
    const digests = await sendDueDigests({ ...deps, at, sendHourUtc: follow.sendHourUtc, papersPerDigest: follow.papersPerDigest, concurrency: follow.smtpConnections });
    console.log(JSON.stringify({ confirmations, digests }));
    if (digests.inDoubt > 0) console.error(`${digests.inDoubt} digest(s) of these periods are PENDING from an interrupted run: not resent (they may have been delivered).`);
    return 0;
  } catch (error) {
    if (error instanceof DigestRunAborted) {
      console.log(JSON.stringify({ digests: error.report }));
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await mailer.close();
    await database.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exitCode = 1;
}
