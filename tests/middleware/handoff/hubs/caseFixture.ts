import { draftCase, transition, type CaseDraft, type ConversationPointer } from '../../../../middleware/handoff/handoffCase';
import type { HandoffStore } from '../../../../middleware/handoff/stores/handoffStore';
import type { HandoffCase } from '../../../../middleware/handoff/handoffCase';

/** A card number that passes Luhn, an e-mail and a French phone number: all must be redacted on the way out. */
export const PII_TEXT = 'Someone used my card 4242 4242 4242 4242 without me, write to jane.doe@example.com or call 06 12 34 56 78';

/** A conversation pointer shaped like `pointerFromActivity` makes for a Direct Line customer. */
export function directLinePointer(conversationId: string, serviceUrl = 'http://127.0.0.1:9/'): ConversationPointer {
  return {
    key: `directline/${conversationId}`,
    channel: 'directline',
    reference: {
      activityId: 'a1',
      user: { id: 'dl_user_1', name: 'Jane Doe', role: 'user' },
      bot: { id: 'warmline-bot', name: 'Warmline' },
      conversation: { id: conversationId },
      channelId: 'directline',
      locale: 'en-US',
      serviceUrl,
    },
  };
}

/** A fraud case draft with PII in the transcript and collected data, already queued. */
export function fraudDraft(pointer: ConversationPointer, now = new Date()): CaseDraft {
  const draft = draftCase(
    {
      conversation: pointer,
      customer: { id: 'dl_user_1', name: 'Jane Doe', channel: pointer.channel, profileKey: 'crm-77' },
      reason: 'fraud',
      priority: 'high',
      language: 'en',
      trigger: {
        intents: [{ name: 'fraud', confidence: 0.95, evidence: [{ rule: 'fraud.en.unrecognised', matched: ['used my card'] }] }],
        emotions: [{ name: 'distress', score: 0.7, evidence: [{ rule: 'distress.en.panic', matched: ['without me'] }] }],
        explanation: 'fraud report: immediate human',
      },
      summary: 'Who: Jane Doe · Web chat · English\nWants: Fraud / security (high priority)',
      transcript: [
        { role: 'customer', text: 'hello', at: now.toISOString() },
        { role: 'bot', text: 'Hi! How can I help?', at: now.toISOString() },
        { role: 'customer', text: PII_TEXT, at: now.toISOString() },
      ],
      collected: { trackingNumber: '1Z999AA10123456784', email: 'jane.doe@example.com' },
    },
    now,
  );
  return transition(draft, 'queued', { by: 'bot', at: now });
}

/** Creates the queued fraud case in `store`. */
export function createFraudCase(store: HandoffStore, conversationId: string, serviceUrl?: string): Promise<HandoffCase> {
  return store.create(fraudDraft(directLinePointer(conversationId, serviceUrl)));
}

/** True when `text` holds any of the fixture's personal data. */
export const leaksPii = (text: string): boolean => /4242 4242|jane\.doe@example\.com|06 12 34 56 78/.test(text);
