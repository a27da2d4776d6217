import { CardFactory, TurnContext, type Activity } from 'botbuilder';
import { AgentDirectory } from '../../middleware/handoff/agentDirectory';
import { extrasOf, pointerFromActivity, slackApiToken } from '../../middleware/conversationReference';
import { CASE_ID_PATTERN, type AgentIdentity, type ConversationPointer, type HandoffCase } from '../../middleware/handoff/handoffCase';
import type { AgentTurnHandler } from '../../middleware/handoffMiddleware';
import { CustomerUnreachableError, type AgentActionResult } from '../../middleware/handoff/agentSide';
import type { HandoffService } from '../../middleware/handoff/handoffService';
import type { Messenger, OutgoingMessage } from '../../middleware/handoff/messenger';
import type { AgentStatus, CaseAnnouncement } from '../../middleware/handoff/stores/handoffStore';
import { customerLabel, type SummaryLanguage } from '../../middleware/handoff/caseSummary';
import type { AgentDelivery, HandoffEvent, HubConnector } from '../../middleware/handoff/hubs/hubConnector';
import { silentLogger, type Logger } from '../../middleware/shared/logger';
import { messageActivity } from '../../middleware/adapterMessenger';
import { announcementStatus, caseCard, caseText, reasonLabel, type AcceptActionData, type AnnouncementStatusOptions, type CaseCardOptions } from './agentCards';
import { SLACK_ACCEPT_ACTION, caseBlocks } from './slackCaseBlocks';
import { SlackWebApi, slackChannelOf } from './slackWebApi';

/** Options of {@link AgentDesk}. */
export interface AgentDeskOptions {
  readonly service: HandoffService;
  /** Who is an agent (allow-list per channel). */
  readonly agents: AgentDirectory;
  /** Proactive sends to agents' watch and work conversations (see `adapterMessenger`). */
  readonly messenger: Messenger;
  /** Slack Web API client (cards with buttons on Slack). Default: `https://slack.com`. */
  readonly slack?: SlackWebApi;
  /** The agents' language: of case cards and their "why" line. Default `en`. */
  readonly language?: SummaryLanguage;
  /** Default: silent. */
  readonly logger?: Logger;
}

/** How a case was shown: the channel's message id and the path that can update it. */
type Shown = Pick<CaseAnnouncement, 'messageId' | 'via'>;

/** Announcements posted through the Slack Web API (updated with `chat.update`); all others went through the messenger. */
const VIA_SLACK = 'slack';
const VIA_MESSENGER = 'messenger';
/** Passes over a case's cards when it keeps changing while they are updated (another instance's events). */
const MAX_REFRESH_PASSES = 3;

type Command = 'queue' | 'accept' | 'close' | 'help' | 'online' | 'away';

// A table, not an if-chain: English and French names of each command.
const COMMANDS: Readonly<Record<string, Command>> = {
  queue: 'queue',
  file: 'queue',
  list: 'queue',
  accept: 'accept',
  take: 'accept',
  prendre: 'accept',
  close: 'close',
  fermer: 'close',
  clore: 'close',
  help: 'help',
  aide: 'help',
  online: 'online',
  'en ligne': 'online',
  away: 'away',
  absent: 'away',
};

const HELP = [
  'Agent commands (French in brackets):',
  '• queue (file): cases waiting for an agent',
  '• accept [id] (prendre [id]): take a case, the next one when no id is given',
  '• close (fermer): close your case; the customer goes back to the bot',
  '• close: [note] or /close [note] (fermer: [note]): close it with an internal note for the team (never sent to the customer)',
  '• online / away (en ligne / absent): get new-case notifications or not',
  'While you hold a case, everything else you write goes to the customer, so a sentence such as "Close the old account first" is sent to them.',
  'A command is then the bare word, or the word and a colon ("close: thanks, bye"), or starts with "/".',
].join('\n');

const CASE_ID = /^c-[2-9a-z]{4,12}$/i;

/** A parsed agent message. */
type AgentInput = { kind: 'command'; command: Command; arg: string } | { kind: 'text'; text: string };

/**
 * The built-in agent desk over Bot Framework channels (Teams, Slack, any channel): agents' commands and card buttons,
 * new-case announcements, and the relay between agents and customers.
 *
 * @remarks Agents are recognised by the {@link AgentDirectory} allow-list (ids, never display names). Each message
 * of an agent records their watch conversation (with Slack's bot token) in the store's presence, so every instance
 * can announce new cases there: an Adaptive Card with Accept on Teams, a Block Kit message with an Accept button
 * through the Slack Web API on Slack, text elsewhere. Commands: `queue`, `accept [id]`, `close` / `close: [note]` / `/close [note]`, `help`,
 * `online`, `away` (French: `file`, `prendre`, `fermer`, `aide`, `en ligne`, `absent`). While an agent holds a case in
 * a conversation, anything else they write there is relayed to the customer; nobody can write into a case they did
 * not claim. Each announcement's message id is kept beside the case (`HandoffStore.saveAnnouncement`), so when the case
 * is taken, closed, left or re-queued every instance updates those cards in place (Teams `updateActivity`, Slack
 * `chat.update`): who has it, and no Accept button once nobody can take it.
 * Implements both the middleware's {@link AgentTurnHandler} and a {@link HubConnector}.
 * @example
 * const desk = new AgentDesk({ service, agents: AgentDirectory.parse(config.WARMLINE_AGENTS), messenger });
 * service.addConnector(desk);
 */
export class AgentDesk implements AgentTurnHandler, HubConnector {
  readonly name = 'desk';
  private readonly service: HandoffService;
  private readonly agents: AgentDirectory;
  private readonly messenger: Messenger;
  private readonly slack: SlackWebApi;
  private readonly logger: Logger;
  private readonly language: SummaryLanguage;
  /** When this instance last renewed each agent's presence (epoch ms): saves a store write per relayed message. */
  private readonly renewedAt = new Map<string, number>();
  /** The refresh of each case's cards in progress (one at a time per case). */
  private readonly refreshing = new Map<string, Promise<void>>();

  constructor(options: AgentDeskOptions) {
    if (!options?.service) throw new TypeError('AgentDesk: service is required');
    if (!(options.agents instanceof AgentDirectory)) throw new TypeError('AgentDesk: agents (an AgentDirectory) is required');
    if (!options.messenger) throw new TypeError('AgentDesk: messenger is required');
    this.service = options.service;
    this.agents = options.agents;
    this.messenger = options.messenger;
    this.slack = options.slack ?? new SlackWebApi();
    this.logger = options.logger ?? silentLogger;
    this.language = options.language ?? 'en';
  }

  identify(ctx: TurnContext): AgentIdentity | undefined {
    return this.agents.identify(ctx.activity);
  }

  async handle(ctx: TurnContext, agent: AgentIdentity): Promise<void> {
    if (ctx.activity.channelId === 'msteams') TurnContext.removeRecipientMention(ctx.activity);
    if (!isPrivateConversation(ctx.activity)) {
      // Cases carry customers' names, summaries and transcripts: never post them where others can read.
      await ctx.sendActivity('For the customers\' privacy, cases are handled in a direct chat with me: please message me directly.');
      return;
    }
    const here = pointerFromActivity(ctx.activity, { slackApiToken: slackApiToken(ctx.activity) });
    const click = readClick(ctx);
    if (click) return this.accept(ctx, agent, here, click);
    const current = await this.service.store.findByAgentConversation(here.key);
    const input = readAgentInput(typeof ctx.activity.text === 'string' ? ctx.activity.text : '', current !== undefined);
    if (input.kind === 'text') {
      if (!input.text) return;
      if (current) {
        await this.relay(ctx, agent, current, input.text, ctx.activity.id);
        // Presence lasts the TTL after the agent's last message; renew it at most once per tenth of the TTL.
        await this.renewPresence(agent, here);
        return;
      }
      await this.touchPresence(agent, here);
      await ctx.sendActivity(`You have no case open here. Type "queue" to see waiting cases, "accept" to take the next one, or "help".`);
      return;
    }
    switch (input.command) {
      case 'help':
        await this.touchPresence(agent, here);
        await ctx.sendActivity(HELP);
        return;
      case 'online':
      case 'away':
        await this.service.presence.set(agent, input.command, here);
        if (input.command === 'away') {
          await ctx.sendActivity('You are away: no new-case notifications until you type "online".');
          return;
        }
        await ctx.sendActivity(`You are online: new cases will be announced here.\n\n${await this.queueText()}`);
        return;
      case 'queue':
        await this.touchPresence(agent, here);
        await ctx.sendActivity(await this.queueText());
        return;
      case 'accept': {
        const id = input.arg.split(/\s+/)[0] ?? '';
        if (id && !CASE_ID.test(id)) {
          await ctx.sendActivity(`"${id.slice(0, 20)}" is not a case id (they look like C-7K3P).`);
          return;
        }
        const target = id ? id.toUpperCase() : (await this.service.agents.listClaimable(1))[0]?.id;
        if (!target) {
          await ctx.sendActivity('No case is waiting.');
          return;
        }
        return this.accept(ctx, agent, here, target);
      }
      case 'close':
        return this.close(ctx, agent, here, input.arg);
    }
  }

  async onEvent(event: HandoffEvent): Promise<void> {
    switch (event.type) {
      case 'queued':
        if (event.opened) return this.announce(event.case);
        // Back in the queue: the earlier cards say so (without Accept where a new card follows), then new cards.
        return this.announce(event.case, { requeued: true });
      case 'assigned':
      case 'resolved':
      case 'abandoned':
      case 'timed_out':
      case 'callback_requested':
        return this.refreshAnnouncements(event.case.id);
      default:
        return;
    }
  }

  async deliverToAgent(c: HandoffCase, message: AgentDelivery): Promise<boolean> {
    const target = c.agentConversation;
    if (!target || !c.agent || c.agent.channel === 'console' || c.agent.channel.startsWith('hub:')) return false;
    const who = c.customer.name?.trim() && c.customer.name.trim() !== c.customer.id ? (c.customer.name.trim().split(/\s+/)[0] as string) : customerLabel(c.customer, this.language);
    const relayed: OutgoingMessage = { text: `[${c.id}] ${who}: ${message.text}`, textFormat: 'plain', role: 'bot' };
    await this.messenger.send(target, [relayed], message.onSent ? { onSent: message.onSent } : undefined);
    return true;
  }

  /**
   * Announces a case in every online agent's watch conversation and keeps each card's message id beside the case.
   *
   * @remarks With `requeued`, the cards of an earlier announcement are updated first ("back in the queue"). A case
   * taken or closed while the cards were on their way has them updated at once: the event that would have done it may
   * have found none kept yet.
   */
  async announce(c: HandoffCase, options: { readonly requeued?: boolean } = {}): Promise<void> {
    const store = this.service.store;
    const presences = (await this.service.presence.list()).filter((p) => p.status === 'online' && p.watch);
    if (options.requeued) {
      const watching = new Set(presences.map((p) => (p.watch as ConversationPointer).key));
      await this.refreshAnnouncements(c.id, (post) => ({ requeued: { reannounced: watching.has(post.where.key) } }));
    }
    const position = (await this.service.queue.positionOf(c.id)).position;
    const shown = await Promise.all(
      presences.map(async (p) => {
        const where = p.watch as ConversationPointer;
        try {
          const posted = await this.showCase(where, c, { mode: 'announce', language: this.language, ...(position ? { position } : {}) });
          if (posted && store.saveAnnouncement) await store.saveAnnouncement(c.id, { where: withoutSecrets(where), ...posted, at: new Date().toISOString() });
          return posted !== undefined;
        } catch (err) {
          this.logger.warn('desk.announce_failed', { caseId: c.id, channel: p.agent.channel, error: err instanceof Error ? err.name : 'unknown' });
          return false;
        }
      }),
    );
    if (!shown.some(Boolean)) return;
    const now = await store.get(c.id);
    if (now && now.state !== 'queued') await this.refreshAnnouncements(c.id);
  }

  /**
   * Updates in place every kept announcement of a case to show where it stands now (taken, closed...).
   *
   * @remarks One refresh of a case at a time in this process, each reading the case afresh, so the last card written
   * shows the last state (a "taken" update can no longer land after the "closed" one). A case that changed while its
   * cards were being updated (another instance's event) is refreshed again, a few times at most.
   * @param statusOptions per announcement, beyond the language (a re-queued case's earlier cards).
   */
  private refreshAnnouncements(caseId: string, statusOptions: (post: CaseAnnouncement) => AnnouncementStatusOptions = () => ({})): Promise<void> {
    const before = this.refreshing.get(caseId) ?? Promise.resolve();
    const run = before.then(() => this.refreshNow(caseId, statusOptions));
    const settled = run.catch(() => undefined);
    this.refreshing.set(caseId, settled);
    void settled.then(() => {
      if (this.refreshing.get(caseId) === settled) this.refreshing.delete(caseId);
    });
    return run;
  }

  private async refreshNow(caseId: string, statusOptions: (post: CaseAnnouncement) => AnnouncementStatusOptions): Promise<void> {
    const store = this.service.store;
    if (!store.listAnnouncements) return;
    for (let attempt = 0; attempt < MAX_REFRESH_PASSES; attempt++) {
      // The case as it is now, not as the event saw it: events of one case may be handled out of order.
      const [c, posts] = await Promise.all([store.get(caseId), store.listAnnouncements(caseId)]);
      if (!c || !posts.length) return;
      // Slack tokens come from the presences of the agents watching (one read for all the cards, not one per card).
      const slackTokens = posts.some((p) => p.via === VIA_SLACK) ? await this.slackTokens() : new Map<string, string>();
      await Promise.all(
        posts.map(async (post) => {
          const status = announcementStatus(c, post.where.key, { language: this.language, ...statusOptions(post) });
          if (!status) return;
          try {
            await this.updateCase(post, c, { mode: 'announce', language: this.language, status }, slackTokens);
          } catch (err) {
            this.logger.warn('desk.announcement_update_failed', { caseId: c.id, channel: post.where.channel, error: err instanceof Error ? err.name : 'unknown' });
          }
        }),
      );
      const now = await store.get(caseId);
      if (!now || (now.state === c.state && now.timestamps.updated === c.timestamps.updated)) return;
    }
  }

  /** Replaces a card shown earlier with the case as it is now, through the path that posted it. */
  private async updateCase(post: CaseAnnouncement, c: HandoffCase, options: CaseCardOptions, slackTokens: ReadonlyMap<string, string>): Promise<void> {
    if (post.via === VIA_SLACK) {
      const token = slackTokens.get(post.where.key);
      const channel = slackChannelOf(String((post.where.reference.conversation as { id?: unknown } | undefined)?.id ?? ''));
      if (!token || !channel) return;
      const { text, blocks } = caseBlocks(c, options);
      const updated = await this.slack.updateMessage(token, { channel, ts: post.messageId, text, blocks });
      if (!updated.ok) this.logger.warn('desk.slack_update_failed', { caseId: c.id, error: updated.error });
      return;
    }
    if (!this.messenger.update) return;
    await this.messenger.update(post.where, post.messageId, this.caseMessage(post.where, c, options));
  }

  private async relay(ctx: TurnContext, agent: AgentIdentity, c: HandoffCase, text: string, activityId: string | undefined): Promise<void> {
    // Idempotent on the agent's activity id: a channel's retry of the same message reaches the customer once.
    let result: AgentActionResult;
    try {
      result = await this.service.agents.sendToCustomer(c.id, agent, text, typeof activityId === 'string' && activityId ? activityId.slice(0, 200) : undefined);
    } catch (err) {
      if (!(err instanceof CustomerUnreachableError)) throw err;
      this.logger.warn('desk.customer_unreachable', { caseId: c.id, error: err.name });
      await ctx.sendActivity(`The customer's channel could not be reached just now, so your message was not sent. Please send it again in a moment.`);
      return;
    }
    if (result.ok) return;
    if (result.reason === 'not_yours') {
      await ctx.sendActivity(`${c.id} is handled by ${holder(result.by)}; your message was not sent.`);
    } else {
      await ctx.sendActivity(`${c.id} is no longer open; your message was not sent.`);
    }
  }

  private async accept(ctx: TurnContext, agent: AgentIdentity, here: ConversationPointer, caseId: string): Promise<void> {
    await this.touchPresence(agent, here);
    const busy = await this.service.store.findByAgentConversation(here.key);
    if (busy && busy.id !== caseId.toUpperCase()) {
      await ctx.sendActivity(`You are working on ${busy.id} here. Close it first ("close" or "close: [note]").`);
      return;
    }
    const result = await this.service.agents.accept(caseId.toUpperCase(), agent, here);
    if (result.ok) {
      await this.showCase(here, result.case, { mode: 'full', language: this.language }, ctx);
      return;
    }
    switch (result.reason) {
      case 'taken':
        await ctx.sendActivity(
          result.by.id === agent.id && result.by.channel === agent.channel
            ? `${caseId.toUpperCase()} is already yours.`
            : `${caseId.toUpperCase()} is already taken by ${holder(result.by)}.`,
        );
        return;
      case 'not_claimable':
        await ctx.sendActivity(`${caseId.toUpperCase()} cannot be taken: it is ${result.state.replace('_', ' ')}.`);
        return;
      case 'not_found':
        await ctx.sendActivity(`There is no case ${caseId.toUpperCase()}.`);
        return;
    }
  }

  private async close(ctx: TurnContext, agent: AgentIdentity, here: ConversationPointer, note: string): Promise<void> {
    const current = await this.service.store.findByAgentConversation(here.key);
    if (!current) {
      await ctx.sendActivity('You have no case open here.');
      return;
    }
    const result = await this.service.agents.close(current.id, agent, note.trim() ? note.trim().slice(0, 500) : undefined);
    if (result.ok) {
      await ctx.sendActivity(`${current.id} is closed; the customer is back with the bot.`);
      return;
    }
    await ctx.sendActivity(
      result.reason === 'not_yours' ? `${current.id} is handled by ${holder(result.by)}; you cannot close it.` : `${current.id} is no longer open.`,
    );
  }

  /**
   * Shows a case in a conversation: Adaptive Card on Teams, Block Kit through the Web API on Slack, text elsewhere.
   *
   * @returns the message's id and the path that posted it, when the channel gave an id.
   */
  private async showCase(where: ConversationPointer, c: HandoffCase, options: CaseCardOptions, ctx?: TurnContext): Promise<Shown | undefined> {
    if (where.channel === 'slack') {
      const token = extrasOf(where).slackApiToken;
      const channel = slackChannelOf(String((where.reference.conversation as { id?: unknown } | undefined)?.id ?? ''));
      if (token && channel) {
        const { text, blocks } = caseBlocks(c, options);
        const posted = await this.slack.postMessage(token, { channel, text, blocks });
        if (posted.ok) return posted.ts ? { messageId: posted.ts, via: VIA_SLACK } : undefined;
        this.logger.warn('desk.slack_post_failed', { caseId: c.id, error: posted.error });
      }
    }
    const message = this.caseMessage(where, c, options);
    if (ctx) {
      const sent = await ctx.sendActivity(messageActivity(message));
      return sent?.id ? { messageId: sent.id, via: VIA_MESSENGER } : undefined;
    }
    const sent = await this.messenger.send(where, [message]);
    const id = sent ? sent[0]?.id : undefined;
    return id ? { messageId: id, via: VIA_MESSENGER } : undefined;
  }

  /**
   * The Slack bot token of each agent conversation being watched, from the presences: announcements are kept without
   * it (a secret lives no longer than the presence that brought it).
   */
  private async slackTokens(): Promise<Map<string, string>> {
    const tokens = new Map<string, string>();
    for (const p of await this.service.presence.list()) {
      const token = p.watch ? extrasOf(p.watch).slackApiToken : undefined;
      if (p.watch && token) tokens.set(p.watch.key, token);
    }
    return tokens;
  }

  /** A case as a message for the messenger: an Adaptive Card on Teams, text elsewhere. */
  private caseMessage(where: ConversationPointer, c: HandoffCase, options: CaseCardOptions): OutgoingMessage {
    return where.channel === 'msteams'
      ? { attachments: [CardFactory.adaptiveCard(caseCard(c, options))], summary: `${c.id} ${reasonLabel(c.reason, this.language)}`, role: 'bot' }
      : { text: caseText(c, options), role: 'bot' };
  }

  private async queueText(): Promise<string> {
    const cases = await this.service.agents.listClaimable(20);
    if (!cases.length) return 'No case is waiting.';
    const now = Date.now();
    const lines = cases.map((c) => {
      const since = Math.max(0, Math.round((now - Date.parse(c.timestamps.queued ?? c.timestamps.created)) / 60_000));
      const state = c.state === 'queued' ? '' : ` · ${c.state.replace('_', ' ')}`;
      return `• ${c.id} · ${reasonLabel(c.reason, this.language)} · ${c.priority} · ${since} min${state} · ${customerLabel(c.customer, this.language)}`;
    });
    return `Waiting cases (accept [id] to take one):\n${lines.join('\n')}`;
  }

  /** {@link AgentDesk.touchPresence}, unless this instance renewed it within a tenth of the presence TTL. */
  private async renewPresence(agent: AgentIdentity, here: ConversationPointer): Promise<void> {
    const last = this.renewedAt.get(`${agent.channel}:${agent.id}`);
    if (last !== undefined && Date.now() - last < this.service.presence.ttlMs / 10) return;
    await this.touchPresence(agent, here);
  }

  /** Renews the agent's presence, keeping their status, and records this conversation as where they watch. */
  private async touchPresence(agent: AgentIdentity, here: ConversationPointer): Promise<void> {
    this.renewedAt.set(`${agent.channel}:${agent.id}`, Date.now());
    if (this.renewedAt.size > 10_000) this.renewedAt.clear();
    const mine = (await this.service.presence.list()).find((p) => p.agent.id === agent.id && p.agent.channel === agent.channel);
    const status: AgentStatus = mine?.status ?? 'online';
    await this.service.presence.set(agent, status, here);
  }
}

/** A pointer without Warmline's channel extras (Slack's bot token): what is kept with a case's announcements. */
function withoutSecrets(where: ConversationPointer): ConversationPointer {
  const reference = { ...where.reference };
  delete reference.warmline;
  return { ...where, reference };
}

const holder = (by: AgentIdentity | undefined): string => (by ? (by.name?.trim() || by.id) : 'another agent');

/** The case id of an Accept click: a Teams `Action.Submit` value or a Slack `block_actions` payload. */
/** @internal The case id an agent's Accept click carries (card submit or Slack button), if the shape is right. Exported for tests. */
export function readClick(ctx: Pick<TurnContext, 'activity'>): string | undefined {
  const activity = ctx.activity;
  // Card submits and Slack payloads are client data: check every shape before trusting it.
  const value = activity.value as Partial<AcceptActionData> | null | undefined;
  if (value && typeof value === 'object' && value.warmline === 'accept' && typeof value.caseId === 'string') {
    return CASE_ID_PATTERN.test(value.caseId.toUpperCase()) ? value.caseId : undefined;
  }
  const channelData = activity.channelData as { Payload?: unknown } | null | undefined;
  const payload = channelData && typeof channelData === 'object' ? (channelData.Payload as { type?: unknown; actions?: unknown } | null | undefined) : undefined;
  if (!payload || typeof payload !== 'object' || payload.type !== 'block_actions' || !Array.isArray(payload.actions)) return undefined;
  const action = (payload.actions as unknown[]).find(
    (a): a is { action_id: string; value: string } =>
      !!a && typeof a === 'object' && (a as { action_id?: unknown }).action_id === SLACK_ACCEPT_ACTION && typeof (a as { value?: unknown }).value === 'string',
  );
  return action && CASE_ID_PATTERN.test(action.value.toUpperCase()) ? action.value : undefined;
}

/**
 * Reads an agent's text: a command or words for the customer.
 *
 * @remarks While the agent holds a case, only unambiguous commands count (the bare word, `/command ...`,
 * `accept <case id>`), so "take your time", "help is on the way" or "Close the old account first" reach the
 * customer; a closing note is written `/close <note>` (or `/fermer <note>`).
 */
/** @internal Exported for tests. */
export { readAgentInput as readAgentInputForTest };

function readAgentInput(raw: string, holding: boolean): AgentInput {
  const text = raw.trim();
  const slash = text.startsWith('/');
  const bare = slash ? text.slice(1).trim() : text;
  const lower = bare.toLowerCase();
  for (const [name, command] of Object.entries(COMMANDS)) {
    // French typography puts a space before the colon ("fermer : note").
    const colon = lower.startsWith(`${name}:`) || lower.startsWith(`${name} :`);
    if (lower !== name && !lower.startsWith(`${name} `) && !colon) continue;
    const arg = bare.slice(name.length).replace(/^\s*:/, '').trim();
    // "close: note" works everywhere; "/close note" too, except on Slack, whose client keeps "/" for its own commands.
    const unambiguous = !holding || slash || colon || !arg || (command === 'accept' && CASE_ID.test(arg));
    if (unambiguous) return { kind: 'command', command, arg };
  }
  return { kind: 'text', text };
}

/**
 * True for a one-to-one conversation between the bot and the agent: a Teams personal chat, a Slack direct message
 * (`D…` channel), or any conversation the channel does not mark as a group.
 */
export function isPrivateConversation(activity: Partial<Activity>): boolean {
  const conversation = activity.conversation;
  if (!conversation) return false;
  if (activity.channelId === 'msteams') return conversation.conversationType === 'personal' || (!conversation.conversationType && conversation.isGroup !== true);
  if (activity.channelId === 'slack') {
    const channel = String(conversation.id ?? '').split(':')[2];
    return channel ? channel.startsWith('D') : conversation.isGroup !== true;
  }
  return conversation.isGroup !== true;
}
