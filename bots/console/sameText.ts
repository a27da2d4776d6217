/**
 * Constant-time comparison of secrets for the console.
 * @packageDocumentation
 */
import { timingSafeEqual } from 'node:crypto';

/** Whether two strings are equal, compared in constant time (for secrets: CSRF tokens, credential fingerprints). */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
