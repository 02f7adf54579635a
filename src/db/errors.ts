// Database errors translated at the boundary, by code, into what the API means by them.
// Anything not listed stays an unexpected error (masked for the client, logged).

/** Prisma's code for a unique constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}
