/**
 * Polls `fn` until it returns a value (not undefined), for asynchronous work such as background
 * delivery. A generous limit, not a timing assertion: it only bounds how long a broken run hangs.
 */
export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
