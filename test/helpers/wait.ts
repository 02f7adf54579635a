// Tests wait on conditions, with a deadline, never on fixed sleeps: a loaded machine only makes
// them slower, not wrong.

/**
 * Resolves once `condition()` holds (it may be async, e.g. a query); fails after `timeoutMs`,
 * naming `what` it waited for.
 */
export async function until(condition: () => boolean | Promise<boolean>, what = 'a condition', timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
