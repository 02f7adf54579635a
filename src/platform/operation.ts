// What the transport learns of an operation as it runs. The GraphQL layer writes it
// (src/graphql/limits/plugin.ts) and whoever serves the operation reads it. Over HTTP that is the
// request's log line and rate limit (src/http/request-state.ts). One object per request, handed
// over in the context, never looked up.
export interface OperationReport {
  /** Set once the operation is chosen: its name, or null for an anonymous one. Undefined: not chosen. */
  name?: string | null;
  /** The calculated cost once known; `withinLimit` false: refused for it (GRAPHQL_MAX_COST). */
  cost?: { readonly points: number; readonly withinLimit: boolean };
  /**
   * The transport's charge for the cost (HTTP's rate limit): throws RATE_LIMITED to refuse the
   * operation, and leaves the budget as it stands in `budget`. Absent: nothing is charged.
   */
  charge?: (points: number) => Promise<void>;
  /** The budget as it stands after the charge (or a refusal), for `extensions.cost`. */
  budget?: { readonly remaining: number; readonly resetSeconds: number };
  /** The request's id, on the log lines of the operation's masked errors. */
  requestId?: string;
}
