import { directLineMessage, slackMessage, teamsMessage } from '../../tests/helpers/channelActivities';
import { Ref } from './fuzzSpec';

/** The channels whose activities are fuzzed. */
export type ChannelKind = 'teams' | 'slack' | 'directline' | 'webchat';

/** Activity types besides `message` that channels send. */
export type OtherActivityType = 'conversationUpdate' | 'invoke' | 'messageReaction' | 'event' | 'typing' | 'endOfConversation' | 'installationUpdate';

type Json = Record<string, unknown>;

/** Replies go to the fuzzer's sink, known only at run time. */
const SINK = new Ref('sink');
const TEAM = 'T01TEAM0001';

/**
 * A realistic customer message of a channel (shapes from `tests/helpers/channelActivities.ts`), in conversation
 * `conversation` from user `user` (small numbers: the same numbers are the same conversation).
 */
export function customerMessage(kind: ChannelKind, text: string, conversation: number, user: number): Json {
  const o = { serviceUrl: 'http://sink.invalid/' };
  let activity: Json;
  if (kind === 'teams') activity = teamsMessage(text, { ...o, conversationId: `a:1fuzz${conversation}`, userId: `29:1fuzz-user-${user}` });
  else if (kind === 'slack') activity = slackMessage(text, { ...o, conversationId: `B01BOT0001:${TEAM}:D0FUZZ${conversation}`, userId: `U0FUZZ${user}:${TEAM}` });
  else activity = { ...directLineMessage(text, { ...o, conversationId: `DLfuzz${conversation}`, userId: `dl-fuzz-${user}` }), ...(kind === 'webchat' ? { channelId: 'webchat' } : {}) };
  return { ...activity, serviceUrl: SINK };
}

/** Another activity type on a channel, shaped as that channel sends it. */
export function customerActivity(kind: ChannelKind, type: OtherActivityType, conversation: number, user: number): Json {
  const base = customerMessage(kind, '', conversation, user);
  delete base.text;
  delete base.textFormat;
  const from = base.from as Json;
  const recipient = base.recipient as Json;
  switch (type) {
    case 'conversationUpdate':
      return { ...base, type, membersAdded: [recipient, from] };
    case 'invoke':
      return { ...base, type, name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'track', data: { number: '6A24188037153' } }, trigger: 'manual' } };
    case 'messageReaction':
      return { ...base, type, reactionsAdded: [{ type: 'like' }], replyToId: '1712345678901' };
    case 'event':
      return { ...base, type, name: 'webchat/join', value: { language: 'fr-FR' } };
    case 'installationUpdate':
      return { ...base, type, action: 'add' };
    default:
      return { ...base, type };
  }
}

/**
 * A message from the Teams or Slack agent listed in `WARMLINE_AGENTS` (commands, chat, the Accept button); `text` may
 * hold placeholders (a real case id).
 */
export function agentMessage(kind: 'teams' | 'slack', text: unknown, value?: unknown): Json {
  const o = { serviceUrl: 'http://sink.invalid/', userId: kind === 'teams' ? '29:agent' : `UAGENT:${TEAM}` };
  const activity =
    kind === 'teams'
      ? teamsMessage('', { ...o, conversationId: 'a:1fuzz-agent-desk', userName: 'Fuzz Agent' })
      : slackMessage('', { ...o, conversationId: `B01BOT0001:${TEAM}:D0FUZZAGENT`, userName: 'fuzz.agent' });
  const from = { ...(activity.from as Json), id: new Ref(kind === 'teams' ? 'agent.teams' : 'agent.slack') };
  return { ...activity, serviceUrl: SINK, from, text, ...(value !== undefined ? { value } : {}) };
}
