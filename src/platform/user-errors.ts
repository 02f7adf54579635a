// Expected failures of mutations, returned in payloads as `userErrors` (the way GitHub's and
// Shopify's APIs do) rather than thrown: the client shows them next to the input field.
import type { UserErrorCode } from '../generated/graphql.ts';
import type { Author, Paper, Topic } from '../generated/prisma/client.ts';

/** What a DUPLICATE error can point at. */
type Existing = Paper | Topic | Author;

export interface UserError {
  field: string[] | null;
  message: string;
  code: UserErrorCode;
  existing?: Existing | null;
}

export function userError(field: string[] | null, code: UserErrorCode, message: string, existing?: Existing): UserError {
  return { field, code, message, existing: existing ?? null };
}

/** Thrown inside a mutation to end it with these user errors (caught by `payload`). */
export class UserErrors extends Error {
  constructor(readonly errors: UserError[]) {
    super(errors.map((e) => e.message).join('; '));
  }
}

/**
 * Runs a mutation body; a thrown UserErrors becomes `{ <empty>, userErrors }`. Anything else
 * propagates and is masked by formatError.
 */
export async function payload<T extends object>(
  empty: NoInfer<{ [K in keyof T]: null }>,
  run: () => Promise<T>,
): Promise<(T | { [K in keyof T]: null }) & { userErrors: UserError[] }> {
  try {
    return { ...(await run()), userErrors: [] };
  } catch (error) {
    if (error instanceof UserErrors) return { ...empty, userErrors: error.errors };
    throw error;
  }
}
