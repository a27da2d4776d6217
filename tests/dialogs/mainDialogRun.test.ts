import { expect } from 'chai';
import sinon from 'sinon';
import { NullTelemetryClient } from 'botbuilder';
import { DialogTurnStatus, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import { BotTestClient, check } from './botTestClient';
import { DemoTrackingProvider, DEMO_PARCELS } from '../../dialogs/tracking/demoTrackingProvider';
import { MainDialog, type Interruption } from '../../dialogs/mainDialog';
import { DIALOG_STATE_PROPERTY } from '../../bots/customerBot';

// How MainDialog.run gets through a turn (botbuilder-dialogs' runDialog, developer interruptions, subclasses,
// telemetry, the lookup deadline): what the customer sees and what is kept.

const NOW = new Date('2025-06-03T10:00:00Z');
const demo = (latencyMs = 0) => new DemoTrackingProvider({ now: () => NOW, latencyMs });
const UPS = DEMO_PARCELS.find((p) => p.carrier === 'ups')!.trackingNumber;
describe('MainDialog.run', () => {
  it('a one-shot answer keeps the same conversation state shape: an empty dialog stack is stored', async () => {
    const c = new BotTestClient(demo(), { channelId: 'webchat' });
    await c.send(`where is my parcel ${UPS}`);
    const key = `webchat/conversations/${c.adapter.conversation.conversation.id}/`;
    const stored = (await c.storage.read([key]))[key] as Record<string, unknown>;
    expect(stored, 'conversation state written').to.be.an('object');
    expect(stored[DIALOG_STATE_PROPERTY]).to.deep.equal({ dialogStack: [] });
    expect(c.stackDepth).to.equal(0);
  });

  it('notes a request once when the message opens a prompt, and counts a misunderstanding once', async () => {
    const c = new BotTestClient(demo(), { channelId: 'webchat' });
    check(await c.send('where is my parcel?'), /tracking number/, 'prompt');
    expect(c.facts.recentRequests).to.deep.equal(['track']);
    expect(c.stackDepth).to.be.greaterThan(0);
    check(await c.send(UPS), () => undefined, 'answer');
    expect(c.facts.recentRequests).to.deep.equal(['track']);
    await c.send('blue elephants dance');
    expect(c.facts.misunderstandings).to.equal(1);
    expect(c.facts.recentRequests).to.have.length(2);
  });

  it('a developer interruption also sees a message that begins the dialog (nothing waiting)', async () => {
    const seen: string[] = [];
    const human: Interruption = async (dc, u) => {
      seen.push(u.recognition.normalised);
      if (!/\bhuman\b/.test(u.recognition.normalised)) return undefined;
      await dc.context.sendActivity('Connecting you with a person.');
      return { status: DialogTurnStatus.complete };
    };
    const c = new BotTestClient(demo(), { channelId: 'webchat', bot: { interruptions: [human] } });
    check(await c.send('I want a human'), 'Connecting you with a person.', 'interrupted');
    check(await c.send(`where is my parcel ${UPS}`), () => undefined, 'tracked');
    expect(seen).to.have.length(2);
  });

  it('a subclass that overrides onBeginDialog is still called for every message that begins the dialog', async () => {
    class PoliteMainDialog extends MainDialog {
      protected override async onBeginDialog(inner: DialogContext, options?: object): Promise<DialogTurnResult> {
        await inner.context.sendActivity('(subclass)');
        return super.onBeginDialog(inner, options);
      }
    }
    const base = new BotTestClient(demo(), { channelId: 'webchat' });
    const mainDialog = new PoliteMainDialog(demo(), base.conversationState, { clock: () => NOW });
    const c = new BotTestClient(demo(), { channelId: 'webchat', bot: { mainDialog } }, base.storage);
    const replies = await c.send(`where is my parcel ${UPS}`);
    expect(replies[0].text).to.equal('(subclass)');
    expect(replies[1].attachments?.[0]?.content, 'then the tracking card').to.be.an('object');
  });

  it('reports dialog views to a telemetry client on a one-shot answer, as when the dialogs were begun', async () => {
    const c = new BotTestClient(demo(), { channelId: 'webchat' });
    const telemetry = new NullTelemetryClient();
    const views = sinon.spy(telemetry, 'trackPageView');
    c.bot.dialog.telemetryClient = telemetry;
    await c.send(`where is my parcel ${UPS}`);
    expect(views.getCalls().map((call) => call.args[0].name)).to.deep.equal(['mainDialog', 'parcelTrackingDialog']);
  });

  describe('lookup deadline', () => {
    afterEach(() => sinon.restore());

    const deadlineTimers = (spy: sinon.SinonSpy, ms: number) => spy.getCalls().filter((call) => call.args[1] === ms).length;

    it('arms no timer for a provider that has already answered', async () => {
      const setTimeoutSpy = sinon.spy(global, 'setTimeout');
      const c = new BotTestClient(demo(), { channelId: 'webchat', bot: { lookupTimeoutMs: 4321 } });
      check(await c.send(`where is my parcel ${UPS}`), () => undefined, 'answer');
      expect(c.facts.collected.parcelStatus).to.equal('in_transit');
      expect(deadlineTimers(setTimeoutSpy, 4321)).to.equal(0);
    });

    it('arms the deadline for a provider still working, and still answers when it does', async () => {
      const setTimeoutSpy = sinon.spy(global, 'setTimeout');
      const c = new BotTestClient(demo(5), { channelId: 'webchat', bot: { lookupTimeoutMs: 4321 } });
      const replies = await c.send(`where is my parcel ${UPS}`);
      expect(replies[0].attachments?.[0]?.content, 'the tracking card').to.be.an('object');
      expect(c.facts.collected.parcelStatus).to.equal('in_transit');
      expect(deadlineTimers(setTimeoutSpy, 4321)).to.equal(1);
    });
  });
});
