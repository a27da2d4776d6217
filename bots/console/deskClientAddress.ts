/**
 * The client address the console's per-address lock-out counts.
 * @packageDocumentation
 */
import { isIP } from 'node:net';

/**
 * The client address of a request for the per-address lock-out: with `trustProxy`, the last (right-most) entry of
 * `X-Forwarded-For`, which the one trusted proxy in front appended or set (`1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
 * `[2001:db8::1]:5678`; the port is dropped); otherwise, or when that entry is empty or not an IP address, the socket
 * peer (`'unknown'` when there is none).
 */
export function deskClientAddress(forwardedFor: string | readonly string[] | undefined, peer: string | undefined, trustProxy: boolean): string {
  const fallback = peer || 'unknown';
  if (!trustProxy || forwardedFor === undefined) return fallback;
  // Repeated headers: Node joins them with ", "; an array (if any) is in order too, so the last line holds the last entry.
  const joined = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
  const last = joined.slice(joined.lastIndexOf(',') + 1).trim();
  let address = last;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(last);
  if (bracketed) address = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(last)) address = last.slice(0, last.lastIndexOf(':'));
  return isIP(address) ? address.toLowerCase() : fallback;
}
