// What an operation tells telemetry, from Apollo's plugin hooks: its count by name (bounded:
// src/platform/telemetry/metrics.ts `operationLabel`), type and outcome; the time of parse,
// validation and execution together, and of the whole; its error codes, handed to the transport
// in the operation report (the HTTP layer counts every answered error in one place:
// src/http/telemetry.ts); with tracing, the operation's span (opened by the transport) named
// `query Daily` and marked with its error codes.
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../catalog/context.ts';
import type { Metrics, OperationOutcome, OperationType } from '../platform/telemetry/metrics.ts';
import { nameOperationSpan, spanErrorCodes } from '../platform/telemetry/tracing.ts';

export function operationTelemetryPlugin(metrics: Metrics | null): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let workStarted: number | undefined;
      let executed: number | undefined;
      let name: string | null = null;
      let type: OperationType = 'unknown';
      // Parse and validation are skipped for a document Apollo has seen: the work starts where it starts.
      const begin = async () => {
        workStarted ??= performance.now();
      };
      return {
        parsingDidStart: begin,
        validationDidStart: begin,
        async didResolveOperation({ operation }) {
          if (!operation) return;
          name = operation.name?.value ?? null;
          type = operation.operation;
          nameOperationSpan(name, type);
        },
        async executionDidStart() {
          workStarted ??= performance.now();
          return {
            async executionDidEnd() {
              executed = performance.now();
            },
          };
        },
        async willSendResponse({ response, contextValue }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = (result?.errors ?? []).map((error) => String(error.extensions?.code ?? 'OTHER'));
          contextValue.operation.errorCodes = codes;
          spanErrorCodes(codes);
          if (!metrics) return;
          const outcome: OperationOutcome = codes.length === 0 ? 'ok' : result?.data != null ? 'partial' : 'failed';
          const now = performance.now();
          metrics.operation({
            name,
            type,
            outcome,
            executionSeconds: workStarted !== undefined ? ((executed ?? now) - workStarted) / 1000 : undefined,
            totalSeconds: (now - started) / 1000,
          });
        },
      };
    },
  };
}
