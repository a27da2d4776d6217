/** A Block Kit block (plain JSON). */
export type SlackBlock = Record<string, unknown>;

/** A `chat.postMessage` request. */
export interface SlackPostMessage {
  /** Channel, group or DM id (`C…`, `D…`). */
  readonly channel: string;
  /** Fallback text for notifications and clients without blocks. */
  readonly text: string;
  readonly blocks?: readonly SlackBlock[];
  readonly thread_ts?: string;
}

/** A `chat.update` request: replaces the message `ts` of `channel`. */
export interface SlackUpdateMessage {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks?: readonly SlackBlock[];
}

/** Slack's answer: `ok` with the message `ts`, or an error code (`invalid_auth`, `channel_not_found`...). */
export interface SlackPostResult {
  readonly ok: boolean;
  readonly ts?: string;
  readonly channel?: string;
  readonly error?: string;
}

/** Options of {@link SlackWebApi}. */
export interface SlackWebApiOptions {
  /** Base URL of the Slack Web API. Default `https://slack.com` (tests point it at a local fake). */
  readonly baseUrl?: string;
  /** Timeout of one call. Default 5000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The part of Slack's Web API the agent desk uses: `chat.postMessage` and `chat.update` with Block Kit.
 *
 * @remarks Adaptive Cards do not render in Slack and Block Kit through `channelData` is unreliable, so cards with
 * buttons go through the Web API with the bot token that Azure Bot Service puts in `channelData.ApiToken`.
 * The token is sent only as a bearer header and never logged.
 * @example await new SlackWebApi().postMessage(token, { channel: 'D05DM1', text: 'New case', blocks });
 */
export class SlackWebApi {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(options: SlackWebApiOptions = {}) {
    const base = options.baseUrl ?? 'https://slack.com';
    if (!/^https?:\/\//.test(base)) throw new TypeError('SlackWebApi: baseUrl must be an http(s) URL');
    this.baseUrl = base.replace(/(?<!\/)\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** Posts a message; resolves with Slack's answer (a failed call resolves `{ ok: false, error }`, never throws). */
  postMessage(token: string, message: SlackPostMessage): Promise<SlackPostResult> {
    return this.call('chat.postMessage', token, message);
  }

  /** Replaces a message in place (`chat.update`); resolves with Slack's answer, never throws. */
  updateMessage(token: string, message: SlackUpdateMessage): Promise<SlackPostResult> {
    return this.call('chat.update', token, message);
  }

  private async call(method: string, token: string, body: SlackPostMessage | SlackUpdateMessage): Promise<SlackPostResult> {
    if (!token) return { ok: false, error: 'no_token' };
    try {
      const res = await fetch(`${this.baseUrl}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) return { ok: false, error: `http_${res.status}` };
      const answer = (await res.json()) as Partial<SlackPostResult>;
      return {
        ok: answer.ok === true,
        ...(answer.ts ? { ts: answer.ts } : {}),
        ...(answer.channel ? { channel: answer.channel } : {}),
        ...(answer.error ? { error: answer.error } : {}),
      };
    } catch (err) {
      return { ok: false, error: err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'network_error' };
    }
  }
}

/**
 * The Slack channel id of a Bot Framework Slack conversation id (`B…:T…:C…` or `…:D…`), or `undefined`.
 *
 * @example slackChannelOf('B01BOT0001:T01TEAM0001:D05DM1') // 'D05DM1'
 */
export function slackChannelOf(conversationId: string | undefined): string | undefined {
  const last = conversationId?.split(':').pop();
  return last && /^[CDG][A-Z0-9]+$/.test(last) ? last : undefined;
}
