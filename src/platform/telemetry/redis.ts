// REDIS_URL's connection as telemetry sees it: whether it is up, at every scrape; with tracing,
// a span per command, named by the command alone (keys carry token hashes and addresses).
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { RedisLink } from '../redis/client.ts';
import type { Telemetry } from './telemetry.ts';

export function instrumentRedis(link: RedisLink, { metrics, tracing }: Telemetry): void {
  metrics.watchRedis(() => link.ready());
  if (!tracing) return;
  const client = link.client;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: Parameters<typeof send>[0], stream?: Parameters<typeof send>[1]) => {
    const span = tracing.tracer.startSpan(`redis ${command.name}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'db.operation.name': command.name } });
    const result = send(command, stream);
    Promise.resolve(result).then(
      () => span.end(),
      () => {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    );
    return result;
  }) as typeof client.sendCommand;
}
