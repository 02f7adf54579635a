// What the transport learns of an operation as it runs. The GraphQL layer writes it
// (src/graphql/limits/plugin.ts) and whoever serves the operation reads it. Over HTTP that is the
// request's log line and rate limit (src/http/request-state.ts). One object per request, handed
// over in the context, never looked up.
import type { ReadMeter } from './db/reader.ts';

export interface OperationCost {
  /** The calculated (static) cost: what admission checked and charged before the run. */
  readonly points: number;
  /** false: refused for it (GRAPHQL_MAX_COST). */
  readonly withinLimit: boolean;
  /** The server time the run took (src/graphql/limits/plugin.ts `measuredMs`); set once it has run. */
  measuredMs?: number;
  /** What the run was charged in all: the calculated cost, or the measured one when larger. */
  charged?: number;
}

export interface OperationReport extends ReadMeter {
  /** Set once the operation is chosen: its name, or null for an anonymous one. Undefined: not chosen. */
  name?: string | null;
  /** The cost once known. */
  cost?: OperationCost;
  /**
   * The transport's charge (HTTP's rate limit). Before the run: throws RATE_LIMITED to refuse
   * the operation when the budget cannot pay. After it (`settle`): the points are spent even
   * past the budget, which the client then waits out. Leaves the budget in `budget`. Absent:
   * nothing is charged.
   */
  charge?: (points: number, when?: 'admit' | 'settle') => Promise<void>;
  /** The budget as it stands after the charge (or a refusal), for `extensions.cost`. */
  budget?: { readonly remaining: number; readonly resetSeconds: number };
  /**
   * The `extensions.code` of every error the operation answered, once answered (the GraphQL
   * layer sets it; the HTTP layer counts them in its metrics). Undefined: not answered by it.
   */
  errorCodes?: readonly string[];
  /** The request's id, on the log lines of the operation's masked errors. */
  requestId?: string;
  /**
   * Resolved once the operation has run and been charged (set by the GraphQL layer as it
   * starts). A client's request counts as in flight until then, even past a 503
   * OPERATION_TIMEOUT answer: its work goes on until its statements are cancelled.
   */
  finished?: Promise<void>;
}
