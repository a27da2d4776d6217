import { expect } from 'chai';
import {
  ActivityTypes,
  ConversationState,
  MemoryStorage,
  TestAdapter,
  UserState,
  type Activity,
  type Middleware,
  type TurnContext,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import { CustomerBot, DIALOG_STATE_PROPERTY, type CustomerBotOptions } from '../../bots/customerBot';
import { CONVERSATION_FACTS_PROPERTY, emptyFacts, type ConversationFacts } from '../../middleware/handoff/conversationFacts';
import type { ParcelStatus, TrackingProvider } from '../../dialogs/tracking/trackingProvider';
import { DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';

/** The tracking number of the first demo parcel with this status. */
export function demoNumber(status: ParcelStatus): string {
  const parcel = DEMO_PARCELS.find((p) => p.status === status);
  if (!parcel) throw new Error(`no demo parcel with status ${status}`);
  return parcel.trackingNumber;
}

/** What a reply must look like: exact text, a pattern on the text, or a check on the whole activity. */
export type Expect = string | RegExp | ((reply: Partial<Activity>) => void);

/** One step of a case: what the customer says (text or activity), what the bot must answer (one check per reply). */
export type Step = readonly [says: string | Partial<Activity>, expects: Expect | readonly Expect[]];

/** One row of a dialog case table. */
export interface DialogCase {
  readonly name: string;
  readonly steps: readonly Step[];
  /** Dialog stack after the last step: `waiting` (a prompt is open) or `complete` (nothing active). */
  readonly status?: 'waiting' | 'complete';
  readonly channelId?: string;
  readonly locale?: string;
}

/** Context of a conversation driven through the whole bot. */
export interface BotTestClientOptions {
  readonly channelId?: string;
  readonly locale?: string;
  /** Extra fields merged into every activity (e.g. `localTimezone`, `entities`). */
  readonly activity?: Partial<Activity>;
  readonly bot?: Partial<CustomerBotOptions>;
  readonly middleware?: readonly Middleware[];
}

/**
 * A small stand-in for botbuilder-testing's DialogTestClient (that package is not installed here): drives a real
 * CustomerBot -> MainDialog -> ParcelTrackingDialog through a TestAdapter with real MemoryStorage state, and returns
 * the replies of each turn.
 */
export class BotTestClient {
  readonly adapter: TestAdapter;
  readonly conversationState: ConversationState;
  readonly userState: UserState;
  readonly bot: CustomerBot;
  /** Dialog stack depth after the last turn. */
  stackDepth = 0;
  /** Facts after the last turn (a copy). */
  facts: ConversationFacts = emptyFacts();

  constructor(
    provider: TrackingProvider,
    private readonly options: BotTestClientOptions = {},
    readonly storage = new MemoryStorage(),
  ) {
    this.conversationState = new ConversationState(storage);
    this.userState = new UserState(storage);
    this.bot = new CustomerBot(this.conversationState, this.userState, provider, {
      defaultLocale: 'en-US',
      defaultTimeZone: 'Europe/Paris',
      ...options.bot,
    });
    const dialogState = this.conversationState.createProperty<DialogState>(DIALOG_STATE_PROPERTY);
    const facts = this.conversationState.createProperty<ConversationFacts>(CONVERSATION_FACTS_PROPERTY);
    this.adapter = new TestAdapter(async (ctx: TurnContext) => {
      await this.bot.run(ctx);
      this.stackDepth = (await dialogState.get(ctx, { dialogStack: [] })).dialogStack.length;
      this.facts = structuredClone(await facts.get(ctx, emptyFacts()));
    });
    for (const mw of options.middleware ?? []) this.adapter.use(mw);
  }

  /** Sends one activity and returns every reply of that turn. */
  async send(says: string | Partial<Activity>): Promise<Partial<Activity>[]> {
    const base: Partial<Activity> = {
      type: ActivityTypes.Message,
      channelId: this.options.channelId ?? 'test',
      ...(this.options.locale ? { locale: this.options.locale } : {}),
      ...this.options.activity,
    };
    const activity = typeof says === 'string' ? { ...base, text: says } : { ...base, ...says };
    this.adapter.activeQueue.splice(0);
    await this.adapter.receiveActivity(activity);
    return this.adapter.activeQueue.splice(0);
  }

  /** Sends the conversationUpdate a channel sends when the bot and the user join. */
  join(): Promise<Partial<Activity>[]> {
    return this.send({
      type: ActivityTypes.ConversationUpdate,
      membersAdded: [
        { id: 'bot', name: 'Bot' },
        { id: 'user1', name: 'User1' },
      ],
    });
  }
}

/** Text of a reply, or '' when it has none. */
export const textOf = (reply: Partial<Activity> | undefined): string => reply?.text ?? '';

/** Checks the replies of one turn against the expectations, one per reply, in order. */
export function check(replies: readonly Partial<Activity>[], expects: Expect | readonly Expect[], label: string): void {
  const list: readonly Expect[] = Array.isArray(expects) ? expects : [expects as Expect];
  expect(replies.map(textOf), `${label}: number of replies`).to.have.length(list.length);
  list.forEach((e, i) => {
    const reply = replies[i];
    if (typeof e === 'string') expect(textOf(reply), `${label}: reply ${i}`).to.equal(e);
    else if (e instanceof RegExp) expect(textOf(reply), `${label}: reply ${i}`).to.match(e);
    else e(reply);
  });
}

/** Runs a table row through a fresh client. */
export async function runCase(c: DialogCase, makeClient: (c: DialogCase) => BotTestClient): Promise<BotTestClient> {
  const client = makeClient(c);
  for (const [i, [says, expects]] of c.steps.entries()) {
    const replies = await client.send(says);
    check(replies, expects, `${c.name} step ${i + 1} (${typeof says === 'string' ? says : says.type})`);
  }
  if (c.status) expect(client.stackDepth > 0 ? 'waiting' : 'complete', `${c.name}: status`).to.equal(c.status);
  return client;
}
