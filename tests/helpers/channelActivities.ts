/** An activity as JSON on the wire (what a channel POSTs). */
export type WireActivity = Record<string, unknown> & { type: string; conversation: { id: string } & Record<string, unknown>; from: { id: string } & Record<string, unknown> };

/**
 * Activity payloads shaped as the real channels send them to a bot's messaging endpoint.
 *
 * Shapes follow Microsoft's Teams bot documentation (personal chat message with `channelData.tenant`,
 * `clientInfo` entity, `aadObjectId`) and the Azure Bot Service Slack channel (`channelData.SlackMessage`
 * holding the Events API envelope, `ApiToken`, ids as `U…:T…` and `B…:T…:D…`). Only ids are made up.
 */
export interface ChannelMessageOptions {
  serviceUrl: string;
  conversationId?: string;
  userId?: string;
  userName?: string;
  locale?: string;
  timezone?: string;
  deliveryMode?: 'normal' | 'expectReplies';
  value?: unknown;
  id?: string;
}

let counter = 0;
const nextId = () => `${Date.now()}${String(++counter).padStart(4, '0')}`;

export const TEAMS_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const TEAMS_BOT_ID = '28:4a2f1c7e-0d6b-4c57-9d6e-8f3f2d1c0b9a';

/** A Teams personal-chat message. */
export function teamsMessage(text: string, o: ChannelMessageOptions): WireActivity {
  const userId = o.userId ?? '29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB39ATiQWA85gQtHieVkKilBZ9XHoq9j7Zaqt7CZ-NJWi7me2kHTL3Bw';
  return {
    text,
    textFormat: 'plain',
    type: 'message',
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    id: o.id ?? nextId(),
    channelId: 'msteams',
    serviceUrl: o.serviceUrl,
    from: { id: userId, name: o.userName ?? 'Megan Bowen', aadObjectId: 'd9a4c5e2-7b61-4b3c-9f0e-1b2a3c4d5e6f' },
    conversation: {
      conversationType: 'personal',
      tenantId: TEAMS_TENANT,
      id: o.conversationId ?? `a:1${nextId()}kXyZ-teams-personal`,
      isGroup: false,
      name: '',
    },
    recipient: { id: TEAMS_BOT_ID, name: 'Warmline' },
    entities: [
      {
        locale: o.locale ?? 'en-US',
        country: (o.locale ?? 'en-US').slice(-2),
        platform: 'Web',
        timezone: o.timezone ?? 'America/New_York',
        type: 'clientInfo',
      },
    ],
    channelData: { tenant: { id: TEAMS_TENANT } },
    locale: o.locale ?? 'en-US',
    localTimezone: o.timezone ?? 'America/New_York',
    ...(o.value !== undefined ? { value: o.value } : {}),
    ...(o.deliveryMode ? { deliveryMode: o.deliveryMode } : {}),
  };
}

/** A Slack direct message as relayed by the Azure Bot Service Slack channel. */
export function slackMessage(text: string, o: ChannelMessageOptions & { apiToken?: string }): WireActivity {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, '0')}`;
  const user = o.userId ?? 'U04ABCD1234:T01TEAM0001';
  const [slackUser, team] = user.split(':');
  const channel = (o.conversationId ?? `B01BOT0001:${team}:D05DM${counter}`).split(':')[2] ?? 'D05DM0001';
  return {
    type: 'message',
    id: o.id ?? ts,
    timestamp: new Date().toISOString(),
    serviceUrl: o.serviceUrl,
    channelId: 'slack',
    from: { id: user, name: o.userName ?? 'jordan' },
    conversation: { isGroup: false, id: o.conversationId ?? `B01BOT0001:${team}:${channel}` },
    recipient: { id: `B01BOT0001:${team}`, name: 'warmline' },
    text,
    channelData: {
      SlackMessage: {
        token: 'verificationtoken',
        team_id: team,
        api_app_id: 'A01APP0001',
        event: { type: 'message', user: slackUser, text, client_msg_id: `c${counter}`, ts, team, channel, event_ts: ts, channel_type: 'im' },
        type: 'event_callback',
        event_id: `Ev0${counter}ABCDE`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [{ enterprise_id: null, team_id: team, user_id: 'U01BOTUSER', is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      },
      ApiToken: o.apiToken ?? 'xoxb-000000000000-0000000000000-fakeTokenForTests',
    },
    ...(o.deliveryMode ? { deliveryMode: o.deliveryMode } : {}),
  };
}

/** A Direct Line (Web Chat) message. */
export function directLineMessage(text: string, o: ChannelMessageOptions): WireActivity {
  const conversationId = o.conversationId ?? `DL${nextId()}-eu`;
  return {
    type: 'message',
    id: o.id ?? `${conversationId}|${String(++counter).padStart(7, '0')}`,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    localTimezone: o.timezone ?? 'Europe/Paris',
    serviceUrl: o.serviceUrl,
    channelId: 'directline',
    from: { id: o.userId ?? 'dl_user_8f2c', name: o.userName ?? '', role: 'user' },
    conversation: { id: conversationId },
    recipient: { id: 'warmline-bot', name: 'Warmline' },
    textFormat: 'plain',
    locale: o.locale ?? 'en-US',
    text,
    channelData: { clientActivityID: `${Date.now()}abc${counter}`, clientTimestamp: new Date().toISOString() },
    ...(o.value !== undefined ? { value: o.value } : {}),
    ...(o.deliveryMode ? { deliveryMode: o.deliveryMode } : {}),
  };
}
