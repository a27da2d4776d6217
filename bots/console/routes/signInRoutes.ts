/**
 * Sign-in to the agent console, `POST /desk/login`: the password check, the lock-outs per account and per client
 * address, and the new session (cookie and CSRF token).
 * @packageDocumentation
 */
import type * as restify from 'restify';
import { errorFields } from '../../../middleware/shared/logger';
import { deskClientAddress } from '../deskClientAddress';
import { verifyDeskPassword } from '../deskPassword';
import { toDeskAgentRef } from '../deskViews';
import type { DeskConsoleContext } from './deskConsoleContext';
import { isRecord, sendError, sendJson, sessionCookie } from './deskHttp';
import { originAllowed } from './guardedRoute';

// Verified against when the account does not exist, so an unknown id costs as much as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

// Logs name the network, not the person: the last IPv4 octet / the IPv6 interface part is dropped.
const maskedIp = (ip: string): string => (ip.includes('.') ? ip.replace(/\.\d+$/, '.x') : ip.split(':').slice(0, 4).join(':') + '::x');

/** Registers `POST /desk/login` (JSON `{ id, password }`); a store that cannot be reached answers 503, never a session. */
export function registerSignInRoutes(server: restify.Server, ctx: DeskConsoleContext): void {
  server.post('/desk/login', async (req: restify.Request, res: restify.Response) => {
    if (!originAllowed(req, ctx.requests.allowedOrigins)) return sendError(res, 403, 'Forbidden', 'Cross-origin request refused.');
    if (!req.is('json') || !isRecord(req.body)) return sendError(res, 400, 'BadRequest', 'Send JSON {"id", "password"}.');
    const { id, password } = req.body;
    if (typeof id !== 'string' || typeof password !== 'string' || !id || !password || id.length > 64 || password.length > 1024) {
      return sendError(res, 400, 'BadRequest', 'Send JSON {"id", "password"}.');
    }
    const accountKey = id.trim().toLowerCase();
    const ipKey = deskClientAddress(req.headers['x-forwarded-for'], req.socket.remoteAddress, ctx.requests.trustProxy);
    try {
      await signIn(ctx, res, accountKey, ipKey, password);
    } catch (err) {
      ctx.logger.error('desk.login_store_failed', errorFields(err));
      if (!res.headersSent) sendError(res, 503, 'Unavailable', 'Sign-in is not available right now; try again shortly.');
    }
  });
}

// Each attempt is counted (per address, then per account) before its password is checked, atomically with the
// lock-out check: simultaneous guesses cannot all pass the check while the first are still in scrypt.
async function signIn(ctx: DeskConsoleContext, res: restify.Response, accountKey: string, ipKey: string, password: string): Promise<void> {
  const { accounts, sessions, presence, logger } = ctx;
  const { account: accountThrottle, ip: ipThrottle } = ctx.throttles;
  const lockedOut = (ms: number): void => {
    logger.warn('desk.login_locked', { ip: maskedIp(ipKey) });
    const seconds = Math.max(1, Math.ceil(ms / 1000));
    sendError(res, 429, 'TooManyAttempts', `Too many wrong passwords. Try again in ${seconds} s.`, { 'Retry-After': String(seconds) });
  };
  // A cheap look first, so a locked account costs its address nothing.
  const locked = Math.max(...(await Promise.all([accountThrottle.lockedFor(accountKey), ipThrottle.lockedFor(ipKey)])));
  if (locked > 0) return lockedOut(locked);
  const ipLocked = await ipThrottle.attempt(ipKey);
  if (ipLocked > 0) return lockedOut(ipLocked);
  const accountLocked = await accountThrottle.attempt(accountKey);
  if (accountLocked > 0) {
    // Refused before any check: not a wrong password from this address.
    await ipThrottle.refund(ipKey);
    return lockedOut(accountLocked);
  }
  const agent = accounts.find(accountKey);
  const valid = await verifyDeskPassword(password, agent?.passwordHash ?? DUMMY_HASH);
  if (!agent || !valid) {
    logger.warn('desk.login_failed', { ip: maskedIp(ipKey), knownAccount: !!agent });
    return sendError(res, 401, 'InvalidCredentials', 'Wrong id or password.');
  }
  // The account starts afresh; the address only gets this attempt back (a valid account of one's own must not
  // wipe the wrong passwords tried on others from the same address).
  await Promise.all([accountThrottle.reset(accountKey), ipThrottle.refund(ipKey)]);
  const created = await sessions.create(agent.id, accounts.credentialOf(agent));
  const me = accounts.identity(agent);
  const status = await presence.signedIn(me);
  logger.info('desk.login', { agent: agent.id });
  sendJson(res, 200, { agent: toDeskAgentRef(me), csrfToken: created.csrfToken, status }, {
    'Set-Cookie': sessionCookie(created.id, ctx.requests.secureCookie),
  });
}
