/**
 * Polls `probe` until it returns something other than undefined, or fails after `timeoutMs` with
 * the last thing it saw. End-to-end tests wait on real processes (scrapes, rule evaluations,
 * notifications) whose timing on a loaded machine is unknown: they poll with a generous deadline
 * instead of sleeping a fixed time.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  opts: { readonly timeoutMs?: number; readonly intervalMs?: number; readonly lastSeen?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let lastError = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > deadline) {
      const seen = opts.lastSeen ? `; last seen: ${opts.lastSeen()}` : '';
      throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError})` : ''}${seen}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}
