import type { ConversationPointer } from './handoffCase';

/** A file or card sent with a message (an Adaptive Card on Teams, for instance). */
export interface MessageAttachment {
  /** MIME type, e.g. `application/vnd.microsoft.card.adaptive`. */
  readonly contentType: string;
  /** The card or file content, as JSON. */
  readonly content?: unknown;
  readonly name?: string;
}

/**
 * A message the handoff sends into a conversation: a notice to a customer (queue position, an agent joined, back with
 * the bot), an agent's words relayed to the customer, or a case shown or relayed to an agent.
 */
export interface OutgoingMessage {
  readonly text?: string;
  /** `plain` shows the text as typed (no Markdown: what a customer wrote, relayed to an agent). Default: the channel's. */
  readonly textFormat?: 'plain' | 'markdown';
  readonly attachments?: readonly MessageAttachment[];
  /** What a channel shows for a message that has only attachments (a Teams notification, a chat list). */
  readonly summary?: string;
  /**
   * Whom the message speaks for in the customer's transcript: `agent` for an agent's words relayed to the customer,
   * `bot` for everything the bot says itself (notices, cases shown to agents).
   */
  readonly role: 'bot' | 'agent';
  /**
   * The display name of the agent whose words these are (role `agent`): the host shows it as the sender's name and
   * marks the message for the customer's page (see `adapterMessenger`). Absent for the bot's own messages.
   */
  readonly agentName?: string;
}

/** What the channel answered for a message it took. */
export interface SentMessage {
  /** The channel's id of the message, when it gives one. */
  readonly id?: string;
}

/** Options of {@link Messenger.send}. */
export interface SendOptions {
  /**
   * Called once, the moment the channel took the last message, before the rest of the delivery (the host's own work
   * after a send) and before `send` resolves: for a record that must not wait, such as marking a relay done so that a
   * crash right after cannot send the message twice.
   */
  readonly onSent?: () => Promise<void>;
}

/**
 * The handoff's one way out to the channels: sends messages into a conversation the handoff has kept a pointer to,
 * from any instance, outside the turn of that conversation (a proactive message).
 *
 * @remarks The domain never sees the host: a Bot Framework SDK bot implements it with `adapterMessenger` (a proactive
 * `continueConversationAsync`), a Microsoft 365 Agents SDK host with its own adapter. Messages go in order, one after
 * the other. `send` resolves only once the channel took every message; it rejects when the conversation could not be
 * reached or a message was refused, and also when the host failed after the channel took them (then
 * {@link SendOptions.onSent} has run, which tells the two apart).
 * @example
 * await messenger.send(c.conversation, [{ text: handoffMessages(c.language).agentJoined('Alice'), role: 'bot' }]);
 */
export interface Messenger {
  send(to: ConversationPointer, messages: readonly OutgoingMessage[], options?: SendOptions): Promise<readonly SentMessage[] | void>;
  /**
   * Replaces a message sent earlier (by its {@link SentMessage.id}) with another, in place: a case card that must now
   * say who took the case. Optional: without it, cards are not updated. Rejects when the channel refused.
   */
  update?(to: ConversationPointer, messageId: string, message: OutgoingMessage): Promise<void>;
  /**
   * The display name the channel knows for a user of the conversation (a Teams member lookup), or `undefined` when it
   * has none or could not be asked. Optional; never throws.
   */
  displayName?(where: ConversationPointer, userId: string): Promise<string | undefined>;
}
