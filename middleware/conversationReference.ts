import { TurnContext, type Activity, type ConversationReference } from 'botbuilder-core';
import type { ConversationPointer, JsonObject } from './handoff/handoffCase';
import { conversationKey } from './handoff/conversationPointer';

/** Channel extras kept beside the conversation reference (Slack's bot token for the Web API). */
export interface PointerExtras {
  /** `channelData.ApiToken` of a Slack message: the bot token the Slack Web API needs. A secret: never log it. */
  readonly slackApiToken?: string;
}

/**
 * A {@link ConversationPointer} for the conversation of an incoming activity, holding botbuilder's
 * `ConversationReference` (and channel extras) so any instance can message it proactively.
 */
export function pointerFromActivity(activity: Partial<Activity>, extras: PointerExtras = {}): ConversationPointer {
  const reference = TurnContext.getConversationReference(activity);
  const json = JSON.parse(JSON.stringify(reference)) as JsonObject;
  // The user's display name is not needed to reach them again, and is personal data: not kept in the reference.
  const user = json.user;
  if (user && typeof user === 'object' && !Array.isArray(user)) delete (user as JsonObject).name;
  if (extras.slackApiToken) json.warmline = { slackApiToken: extras.slackApiToken };
  return { key: conversationKey(activity), channel: activity.channelId ?? '', reference: json };
}

/** botbuilder's conversation reference stored in a pointer (without Warmline's extras). */
export function referenceOf(pointer: ConversationPointer): Partial<ConversationReference> {
  const reference: JsonObject = { ...pointer.reference };
  delete reference.warmline;
  return reference as unknown as Partial<ConversationReference>;
}

/** The channel extras stored in a pointer. */
export function extrasOf(pointer: ConversationPointer): PointerExtras {
  const extras = pointer.reference.warmline;
  if (!extras || typeof extras !== 'object' || Array.isArray(extras)) return {};
  const token = (extras as JsonObject).slackApiToken;
  return typeof token === 'string' ? { slackApiToken: token } : {};
}

/** The Slack `ApiToken` of an incoming Slack activity's `channelData`, if any. */
export function slackApiToken(activity: Partial<Activity>): string | undefined {
  const data = activity.channelData as { ApiToken?: unknown } | undefined;
  return activity.channelId === 'slack' && typeof data?.ApiToken === 'string' && data.ApiToken ? data.ApiToken : undefined;
}
