import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cost parameters of {@link hashDeskPassword}. */
export interface DeskPasswordOptions {
  /** scrypt CPU/memory cost (a power of two). @defaultValue 16384 */
  readonly N?: number;
  /** scrypt block size. @defaultValue 8 */
  readonly r?: number;
  /** scrypt parallelism. @defaultValue 1 */
  readonly p?: number;
  /** Salt length in bytes. @defaultValue 16 */
  readonly saltBytes?: number;
}

const KEY_BYTES = 32;
// `scrypt$N$r$p$salt$hash`, salt and hash in base64url: no `:` or `,`, so it fits in a DESK_AGENTS entry.
const HASH_PATTERN = /^scrypt\$(\d{1,7})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,128})\$([A-Za-z0-9_-]{40,88})$/;

function derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** True when `encoded` has the shape {@link hashDeskPassword} produces. */
export const isDeskPasswordHash = (encoded: string): boolean => {
  const m = HASH_PATTERN.exec(encoded);
  if (!m) return false;
  const N = Number(m[1]);
  return N >= 1024 && (N & (N - 1)) === 0 && Number(m[2]) >= 1 && Number(m[3]) >= 1;
};

/**
 * Hashes an agent's password with scrypt and a fresh random salt, as `scrypt$N$r$p$salt$hash`.
 *
 * @remarks The result goes into a `DESK_AGENTS` entry (`id:Display name:hash`); the password itself is never
 * stored. Use `npx tsx scripts/hashDeskPassword.ts` to produce one.
 * @example const hash = await hashDeskPassword('correct horse battery staple');
 */
export async function hashDeskPassword(password: string, options: DeskPasswordOptions = {}): Promise<string> {
  if (typeof password !== 'string' || password.length === 0) throw new TypeError('hashDeskPassword: password is required');
  const N = options.N ?? 16384;
  const r = options.r ?? 8;
  const p = options.p ?? 1;
  const salt = randomBytes(options.saltBytes ?? 16);
  const key = await derive(password, salt, KEY_BYTES, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/**
 * Checks a password against a hash made by {@link hashDeskPassword}, comparing in constant time.
 *
 * @returns false for a wrong password or a malformed hash (never throws on bad input).
 */
export async function verifyDeskPassword(password: string, encoded: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof encoded !== 'string' || !isDeskPasswordHash(encoded)) return false;
  const [, n, r, p, saltText, keyText] = HASH_PATTERN.exec(encoded) as RegExpExecArray;
  const expected = Buffer.from(keyText, 'base64url');
  const N = Number(n);
  try {
    const actual = await derive(password, Buffer.from(saltText, 'base64url'), expected.length, {
      N,
      r: Number(r),
      p: Number(p),
      maxmem: 256 * N * Number(r) + 1024 * 1024,
    });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}
