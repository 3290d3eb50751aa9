/** Promises seen resolved, with their values; and those being watched. */
const resolved = new WeakMap<Promise<unknown>, { value: unknown }>();
const watched = new WeakSet<Promise<unknown>>();

/**
 * The value of a promise that has resolved, once this module has seen it resolve: the first call for a
 * promise starts watching it and answers undefined; after it resolved, every call answers its value,
 * synchronously. Meant for reads that a cache hands out as one shared promise while its entry lives
 * (`ReadCache`, `TtlCache`): a guard on the send path decides from the value it already has, with no
 * promise to wait on, and waits only for the first read of an entry. A rejected promise never answers.
 */
export function settledValue<T>(p: Promise<T>): { value: T } | undefined {
  const hit = resolved.get(p);
  if (hit) return hit as { value: T };
  if (!watched.has(p)) {
    watched.add(p);
    p.then(
      (value) => void resolved.set(p, { value }),
      () => undefined,
    );
  }
  return undefined;
}

/** `then` of the promise's value: at once when it is seen resolved (`settledValue`), else when it resolves. */
export function whenSettled<T, R>(p: Promise<T>, then: (value: T) => R | Promise<R>): R | Promise<R> {
  const known = settledValue(p);
  return known ? then(known.value) : p.then(then);
}
