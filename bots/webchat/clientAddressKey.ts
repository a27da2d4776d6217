import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key a client address is counted under by per-address limits: an IPv4 address as it is (also when written as
 * IPv4-mapped IPv6, `::ffff:1.2.3.4`), and an IPv6 address by its /64 prefix (`2001:db8:1:2::/64`), since one
 * subscriber usually holds a whole /64 and could otherwise take a new address for every request.
 *
 * Hand-written (a dozen lines) rather than a dependency for one prefix.
 *
 * @param address - The socket's `remoteAddress`; `'unknown'` when there is none or it is not an IP address.
 */
export function clientAddressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(address)) return address;
  const plain = address.split('%')[0]; // a zone id (fe80::1%eth0) is local to this host
  if (!isIPv6(plain)) return 'unknown';
  const [head, tail] = plain.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
