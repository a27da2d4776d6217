import { ActivityTypes, type Activity, type Attachment, type CloudAdapterBase, type TurnContext } from 'botbuilder-core';
import { TeamsInfo } from 'botbuilder';
import type { ConversationPointer } from './handoff/handoffCase';
import type { Messenger, OutgoingMessage, SentMessage } from './handoff/messenger';
import { referenceOf } from './conversationReference';
import { markTranscriptRole } from './transcriptRole';

/** Runs botbuilder turns in a stored conversation from any instance (a proactive turn). */
export interface ProactiveMessenger {
  /** Runs `logic` in a proactive turn of the conversation the pointer names. */
  continueConversation(pointer: ConversationPointer, logic: (ctx: TurnContext) => Promise<void>): Promise<void>;
}

/** The botbuilder host's way out: the handoff's {@link Messenger} port and proactive turns for botbuilder pieces. */
export type AdapterMessenger = Messenger & ProactiveMessenger;

/**
 * What the customer's page reads on an agent's message relayed to it: `channelData.warmline`.
 *
 * @remarks A contract with the web chat page (it draws the agent's own avatar): keep exactly this shape.
 */
export interface AgentMessageMark {
  readonly sender: 'agent';
  readonly agentName: string;
}

// Channels whose clients show the bot's name on every bot message, whatever `from.name` says: there the agent's name
// goes in front of their words, or the customer would take them for the bot's.
const NAME_IN_TEXT_CHANNELS: ReadonlySet<string> = new Set(['msteams', 'slack']);
// Azure's Slack channel reads `channelData` as a native Slack message (it could replace the text): no mark there.
const NO_CHANNEL_DATA: ReadonlySet<string> = new Set(['slack']);

// The agent's name on an outgoing activity, for the send handler that sets `from.name` (a symbol: survives botbuilder's
// copies of the activity, never serialised).
const AGENT_NAME: unique symbol = Symbol('warmline.agentName');
type NamedActivity = Partial<Activity> & { [AGENT_NAME]?: string };

/** The message activity for an {@link OutgoingMessage}, marked with its transcript role (see `markTranscriptRole`). */
export function messageActivity(message: OutgoingMessage, channelId?: string): Partial<Activity> {
  const agentName = message.role === 'agent' ? message.agentName?.trim() : undefined;
  const text = agentName && message.text !== undefined && channelId && NAME_IN_TEXT_CHANNELS.has(channelId) ? `${agentName}: ${message.text}` : message.text;
  const activity: Partial<Activity> = {
    type: ActivityTypes.Message,
    ...(text !== undefined ? { text } : {}),
    ...(message.textFormat ? { textFormat: message.textFormat } : {}),
    ...(message.attachments ? { attachments: message.attachments.map((a) => ({ ...a }) as Attachment) } : {}),
    ...(message.summary !== undefined ? { summary: message.summary } : {}),
  };
  if (agentName) {
    (activity as NamedActivity)[AGENT_NAME] = agentName;
    const mark: AgentMessageMark = { sender: 'agent', agentName };
    if (!channelId || !NO_CHANNEL_DATA.has(channelId)) activity.channelData = { warmline: mark };
  }
  // The transcript middleware records the line as the agent's or the bot's.
  return markTranscriptRole(activity, message.role);
}

/** The agent's name of an activity made by {@link messageActivity}, if any. */
const agentNameOf = (activity: Partial<Activity>): string | undefined => (activity as NamedActivity)[AGENT_NAME];

/**
 * The {@link Messenger} (and {@link ProactiveMessenger}) of a botbuilder `CloudAdapter`:
 * `adapter.continueConversationAsync(appId, reference, logic)`.
 *
 * @remarks The adapter's middleware runs for these turns too (the transcript records what is sent, as the agent's
 * line for a message of role `agent`); the bot does not. A proactive turn's activity has a made-up id, and botbuilder
 * sets every reply's `replyToId` to it: Web Chat then holds such a message back, waiting for an activity it will never
 * see. Messages sent here carry no `replyToId`. `send` resolves when the proactive turn ended, with the channel's ids.
 * An agent's message carries the agent's name as the sender's (`from.name`, set in an `onSendActivities` handler, as
 * `sendActivity` gives every reply the bot's account) and in `channelData.warmline` ({@link AgentMessageMark}; not on
 * Slack, whose connector reads `channelData` as a Slack message); on
 * Teams and Slack, whose clients always show the bot's name, the text starts with it too. `update` replaces a sent
 * message (`updateActivity`: a PUT to the connector); `displayName` asks Teams for a member's name
 * (`TeamsInfo.getMember`).
 * @example const messenger = adapterMessenger(adapter, config.MicrosoftAppId ?? '');
 */
export function adapterMessenger(adapter: CloudAdapterBase, appId: string): AdapterMessenger {
  if (!adapter) throw new TypeError('adapterMessenger: adapter is required');
  const continueConversation = (pointer: ConversationPointer, logic: (ctx: TurnContext) => Promise<void>): Promise<void> =>
    adapter.continueConversationAsync(appId, referenceOf(pointer), async (ctx) => {
      ctx.onSendActivities(async (_ctx, activities, next) => {
        for (const activity of activities) {
          delete activity.replyToId;
          const agentName = agentNameOf(activity);
          if (agentName) activity.from = { ...(activity.from ?? { id: '' }), name: agentName };
        }
        return next();
      });
      await logic(ctx);
    });
  return {
    continueConversation,
    async send(to, messages, options) {
      const sent: SentMessage[] = [];
      await continueConversation(to, async (ctx) => {
        for (const message of messages) {
          const response = await ctx.sendActivity(messageActivity(message, to.channel));
          sent.push(response?.id ? { id: response.id } : {});
        }
        await options?.onSent?.();
      });
      return sent;
    },
    async update(to, messageId, message) {
      await continueConversation(to, async (ctx) => {
        await ctx.updateActivity({ ...messageActivity(message, to.channel), id: messageId });
      });
    },
    async displayName(where, userId) {
      if (where.channel !== 'msteams') return undefined;
      let name: string | undefined;
      try {
        await continueConversation(where, async (ctx) => {
          name = (await TeamsInfo.getMember(ctx, userId)).name;
        });
      } catch {
        return undefined; // a name is a nicety: the case opens without it
      }
      return name?.trim() || undefined;
    },
  };
}
