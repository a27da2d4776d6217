import {
  AuthenticationConstants,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';

/** A small least-recently-used map: clients are reused, and at most `max` are kept. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  /** Removes `key` if it still holds `value`. */
  deleteIf(key: string, value: V): void {
    if (this.map.get(key) === value) this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

// The bot's app id as botbuilder's ParameterizedBotFrameworkAuthentication reads it: the audience claim of a channel's
// token, else the appid claim (Emulator), else none (anonymous).
const appIdOf = (claims: ClaimsIdentity): string =>
  claims.getClaimValue(AuthenticationConstants.AudienceClaim) ?? claims.getClaimValue(AuthenticationConstants.AppIdClaim) ?? '';

/** Reuses the connector clients of one app id, keyed by service URL and audience. */
class CachingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
    private readonly cache: Lru<Promise<ConnectorClient>>,
  ) {
    super();
  }

  create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const key = JSON.stringify([this.appId, serviceUrl, audience ?? null]);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const created = this.inner.create(serviceUrl, audience);
    this.cache.set(key, created);
    // A failed creation (e.g. credentials) is not kept: the next turn tries again.
    created.catch(() => this.cache.deleteIf(key, created));
    return created;
  }
}

/** Options of {@link CachingBotFrameworkAuthentication}. */
export interface CachingBotFrameworkAuthenticationOptions {
  /** Most connector clients kept (one per app id, service URL and audience). Default 256. */
  readonly maxConnectorClients?: number;
}

/**
 * Wraps a `BotFrameworkAuthentication` (e.g. `ConfigurationBotFrameworkAuthentication`) and reuses the connector and
 * user-token clients it creates, instead of building new ones (each a full HTTP pipeline) on every turn.
 *
 * @remarks Authentication is untouched: every request is still validated by the wrapped object, and callers' ids
 * and claims are per request. Only the clients are shared, keyed by the bot's app id, the service URL and the
 * audience, as botbuilder's older `BotFrameworkAdapter` did. Their credentials fetch and refresh tokens per call.
 * Bounded: at most `maxConnectorClients` are kept (least recently used first out), so service URLs sent by
 * clients cannot grow memory without limit.
 * @example
 * const adapter = new CloudAdapter(new CachingBotFrameworkAuthentication(new ConfigurationBotFrameworkAuthentication(env)));
 */
export class CachingBotFrameworkAuthentication extends BotFrameworkAuthentication {
  private readonly connectors: Lru<Promise<ConnectorClient>>;
  private readonly userTokenClients = new Lru<Promise<UserTokenClient>>(64);

  constructor(
    private readonly inner: BotFrameworkAuthentication,
    options: CachingBotFrameworkAuthenticationOptions = {},
  ) {
    super();
    if (!inner || typeof inner.authenticateRequest !== 'function') throw new TypeError('CachingBotFrameworkAuthentication: inner authentication is required');
    const max = options.maxConnectorClients ?? 256;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('CachingBotFrameworkAuthentication: maxConnectorClients must be a positive integer');
    this.connectors = new Lru(max);
  }

  /** How many connector clients are kept now (for tests and diagnostics). */
  get connectorClientCount(): number {
    return this.connectors.size;
  }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return result.connectorFactory
      ? { ...result, connectorFactory: new CachingConnectorFactory(result.connectorFactory, appIdOf(result.claimsIdentity), this.connectors) }
      : result;
  }

  authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new CachingConnectorFactory(this.inner.createConnectorFactory(claimsIdentity), appIdOf(claimsIdentity), this.connectors);
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    const key = appIdOf(claimsIdentity);
    const hit = this.userTokenClients.get(key);
    if (hit) return hit;
    const created = this.inner.createUserTokenClient(claimsIdentity);
    this.userTokenClients.set(key, created);
    created.catch(() => this.userTokenClients.deleteIf(key, created));
    return created;
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }
}
