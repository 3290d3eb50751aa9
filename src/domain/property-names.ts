/**
 * Names of properties an error message may repeat back. A name that does not look like one (longer
 * than 64 characters, or with characters no property name has) is not repeated: it is most likely a
 * whole document sent with the wrong content type (JSON posted as a form becomes one key holding the
 * entire body, client secret included), and an error body or a log line must not carry it.
 */
const PLAUSIBLE = /^[\w$.\-[\]]{1,64}$/;

export function listPropertyNames(names: readonly string[]): string {
  const shown = names.filter((n) => PLAUSIBLE.test(n));
  const hidden = names.length - shown.length;
  if (hidden === 0) return shown.join(', ');
  const others = `${hidden} ${hidden === 1 ? 'property' : 'properties'} whose name is not an identifier`;
  return shown.length ? `${shown.join(', ')} and ${others}` : others;
}
