/**
 * Every pass over customer text that must run in linear time, as one-argument functions: the adversarial tests
 * (tests/security/linearTime.test.ts) and `bench/textWorstCase.ts` run the same list.
 */
import { summarizeCase, type SummarySource } from '../../middleware/handoff/caseSummary';
import { readContact, readCustomerReply } from '../../middleware/handoff/customerReply';
import { trackingAwareRedactor } from '../../bots/app/trackingAwareRedactor';
import type { LanguagePack } from '../../middleware/signals/languagePack';
import { englishPack } from '../../middleware/signals/lexicons/englishPack';
import { frenchPack } from '../../middleware/signals/lexicons/frenchPack';
import { createSignalDetector } from '../../middleware/signals/signalDetector';
import { buildTypoIndex, normaliseText as normaliseSignalsText, type NormaliserLanguage } from '../../middleware/signals/textNormaliser';
import { resolveCustomerLocale } from '../../dialogs/customerLocale';
import { formatWhen } from '../../dialogs/formatWhen';
import { recognizeDay } from '../../dialogs/recognizers';
import { confidentLanguage, detectLanguage, looksLikeTrackingNumber, normaliseText, recognizeRequest } from '../../dialogs/requestRecognizer';
import { findTrackingNumbers, validateTrackingNumber } from '../../dialogs/tracking/carriers';

/** One pass: a name and a function of the text (its result is returned so that no work is optimised away). */
export interface TextPass {
  readonly name: string;
  readonly run: (text: string) => unknown;
}

// What the detector's normaliser gets from a pack (the detector builds the same from its compiled pack).
const normaliserOf = (pack: LanguagePack): NormaliserLanguage => ({
  splitElisions: pack.splitElisions,
  replacements: new Map(Object.entries(pack.replacements).map(([from, to]) => [from, to.split(' ').filter(Boolean)])),
  vocabulary: new Set([...Object.keys(pack.sentimentLabels), ...pack.stopwords]),
  typos: buildTypoIndex(pack.typoTargets ?? []),
});

const at = '2026-03-02T09:00:00.000Z';

/** A case whose customer wrote `text` (quoted, redacted, truncated by the summary). */
const caseWith = (text: string): SummarySource => ({
  customer: { id: 'u1', name: text, channel: 'webchat' },
  conversation: { key: 'webchat/c1', channel: 'webchat', reference: {} },
  language: 'en',
  reason: 'fraud',
  priority: 'high',
  trigger: {
    intents: [{ name: 'fraud', confidence: 0.9, evidence: [{ rule: 'fraud.en.keyword', matched: [text.slice(0, 4000), 'fraud'] }] }],
    emotions: [{ name: 'anger', score: 0.8, evidence: [{ rule: 'anger.en.lexicon', matched: [text.slice(0, 4000)] }] }],
    explanation: 'intent fraud',
  },
  transcript: [
    { role: 'customer', text, at },
    { role: 'bot', text: 'Let me check.', at },
    { role: 'customer', text, at },
  ],
  collected: { orderNumber: text, trackingNumber: '1Z999AA10123456784' },
});

/** The passes, built once (detectors compile their packs here, not in the timed calls). */
export function textPasses(): TextPass[] {
  // The app's redactors: with the bot's tracking-number finder, asked about cards in doubt.
  const cardsOnly = trackingAwareRedactor.restrictTo(['card']);
  const detector = createSignalDetector();
  const uncut = createSignalDetector({ maxLength: Number.MAX_SAFE_INTEGER });
  const en = normaliserOf(englishPack);
  const fr = normaliserOf(frenchPack);
  const now = new Date('2026-03-02T09:00:00Z');
  return [
    { name: 'redact', run: (t) => trackingAwareRedactor.redact(t) },
    { name: 'redact (cards only)', run: (t) => cardsOnly.redact(t) },
    { name: 'signals normaliseText en', run: (t) => normaliseSignalsText(t, en) },
    { name: 'signals normaliseText fr', run: (t) => normaliseSignalsText(t, fr) },
    { name: 'detect en', run: (t) => detector.detect(t, { locale: 'en-US' }) },
    { name: 'detect fr', run: (t) => detector.detect(t, { locale: 'fr-FR' }) },
    { name: 'detect (language detection)', run: (t) => detector.detect(t) },
    { name: 'detect en, no length cut', run: (t) => uncut.detect(t, { locale: 'en-US' }) },
    { name: 'detect fr, no length cut', run: (t) => uncut.detect(t, { locale: 'fr-FR' }) },
    { name: 'findTrackingNumbers', run: (t) => findTrackingNumbers(t) },
    { name: 'validateTrackingNumber', run: (t) => validateTrackingNumber(t) },
    { name: 'recognizeRequest', run: (t) => recognizeRequest(t) },
    { name: 'dialogs normaliseText', run: (t) => normaliseText(t) },
    { name: 'dialogs detectLanguage', run: (t) => detectLanguage(t) },
    { name: 'dialogs confidentLanguage', run: (t) => confidentLanguage(t) },
    { name: 'dialogs looksLikeTrackingNumber', run: (t) => looksLikeTrackingNumber(t) },
    { name: 'recognizeDay', run: (t) => recognizeDay(t, normaliseText(t.slice(0, 500)), 'en', now) },
    { name: 'resolveCustomerLocale', run: (t) => resolveCustomerLocale({ locale: t, localTimezone: t }, { defaultLocale: 'en-US', defaultTimeZone: 'UTC' }) },
    { name: 'formatWhen', run: (t) => formatWhen(t, { locale: 'fr-FR', timeZone: 'Europe/Paris', withTime: true }) },
    { name: 'readCustomerReply', run: (t) => readCustomerReply(t) },
    { name: 'readContact', run: (t) => readContact(t) },
    { name: 'summarizeCase', run: (t) => summarizeCase(caseWith(t)) },
  ];
}
