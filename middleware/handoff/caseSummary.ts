import type { EmotionScore } from '../signals/signals';
import type { CaseDraft, CustomerIdentity, HandoffReason } from './handoffCase';
import { defaultRedactor, type Redactor } from './redaction';

/** What agents other than a case's holder read in place of purpose data (an order e-mail). */
export const PURPOSE_HIDDEN = '(shown to the agent who takes the case)';

/** Languages the summary is written in. */
export type SummaryLanguage = 'en' | 'fr';

/** Options of {@link summarizeCase}. */
export interface CaseSummaryOptions {
  /** The agent's language. Default `en`. */
  readonly language?: SummaryLanguage;
  /** Redacts the quoted customer message and evidence words. Default: the built-in {@link Redactor}. */
  readonly redactor?: Redactor;
  /** Longest quote of the customer, in characters. Default 140. */
  readonly maxQuoteChars?: number;
  /** Emotions below this score are not reported. Default 0.3. */
  readonly minEmotionScore?: number;
}

/** The parts of a case a summary reads. */
export type SummarySource = Pick<
  CaseDraft,
  'customer' | 'conversation' | 'language' | 'reason' | 'priority' | 'trigger' | 'transcript' | 'collected'
>;

/** A summary an agent reads in five seconds: five short lines, also joined as `text`. */
export interface CaseSummary {
  readonly language: SummaryLanguage;
  /** Name, channel, language. */
  readonly who: string;
  /** Reason, priority, and the customer's words (redacted, truncated). */
  readonly wants: string;
  /** What the bot did and collected. */
  readonly bot: string;
  /** Top emotion and the words that show it; empty when none stands out. */
  readonly emotion: string;
  /** Why a person is needed, in plain words (see {@link explainTrigger}). */
  readonly why: string;
  /** The lines above, one per line. */
  readonly text: string;
}

interface Labels {
  who: string;
  wants: string;
  bot: string;
  emotion: string;
  why: string;
  /** The customer when the channel gave no name: the channel and the end of their id. */
  unnamed: (channel: string, tail: string) => string;
  /** "the customer said “a”, “b” and “c”". */
  said: (quoted: readonly string[]) => string;
  channels: Record<string, string>;
  priority: Record<string, string>;
  reasons: Record<string, string>;
  emotions: Record<string, string>;
  languages: Record<string, string>;
  status: Record<string, string>;
  noAttempt: string;
  nothingCollected: string;
  collected: string;
  parcel: string;
  keys: Record<string, string>;
}

const LABELS: Record<SummaryLanguage, Labels> = {
  en: {
    who: 'Who',
    wants: 'Wants',
    bot: 'Bot',
    emotion: 'Emotion',
    why: 'Why',
    unnamed: (channel, tail) => `${channel} customer${tail ? ` ···${tail}` : ''}`,
    said: (quoted) => `the customer said ${listOf(quoted.map((w) => `“${w}”`), 'and')}`,
    channels: { msteams: 'Teams', slack: 'Slack', webchat: 'Web chat', directline: 'Web chat', emulator: 'Emulator', console: 'Console' },
    priority: { high: 'high priority', normal: 'normal priority', low: 'low priority' },
    reasons: {
      bereavement: 'Bereavement',
      fraud: 'Fraud / security',
      distress: 'Customer in distress',
      human_request: 'Asked for a human',
      anger: 'Angry customer',
      frustration: 'Frustrated customer',
      misunderstood: 'Bot did not understand',
      repeated_request: 'Same request repeated',
      deadline: 'Deadline the bot cannot meet',
      parcel_exception: 'Parcel problem (told first by Warmline)',
    },
    emotions: { anger: 'anger', frustration: 'frustration', distress: 'distress', grief: 'grief', gratitude: 'gratitude' },
    languages: { en: 'English', fr: 'French' },
    status: {
      delivered: 'delivered',
      in_transit: 'in transit',
      out_for_delivery: 'out for delivery',
      delayed: 'delayed',
      exception_damaged: 'damaged',
      exception_lost: 'lost',
      returned_to_sender: 'returned to sender',
      not_found: 'not found',
    },
    noAttempt: 'no attempt, sent straight to a human',
    nothingCollected: 'nothing collected yet',
    collected: 'collected',
    parcel: 'looked up parcel',
    keys: { email: 'e-mail', orderNumber: 'order', accountNumber: 'account', parcelNews: 'news sent first' },
  },
  fr: {
    who: 'Qui',
    wants: 'Demande',
    bot: 'Bot',
    emotion: 'Émotion',
    why: 'Pourquoi',
    unnamed: (channel, tail) => `Client ${channel}${tail ? ` ···${tail}` : ''}`,
    said: (quoted) => `le client a écrit ${listOf(quoted.map((w) => `« ${w} »`), 'et')}`,
    channels: { msteams: 'Teams', slack: 'Slack', webchat: 'du chat web', directline: 'du chat web', emulator: 'de l’émulateur', console: 'de la console' },
    priority: { high: 'priorité haute', normal: 'priorité normale', low: 'priorité basse' },
    reasons: {
      bereavement: 'Deuil',
      fraud: 'Fraude / sécurité',
      distress: 'Client en détresse',
      human_request: 'Demande un conseiller',
      anger: 'Client en colère',
      frustration: 'Client frustré',
      misunderstood: 'Le bot n’a pas compris',
      repeated_request: 'Même demande répétée',
      deadline: 'Échéance impossible à tenir',
      parcel_exception: 'Problème de colis (annoncé par Warmline)',
    },
    emotions: { anger: 'colère', frustration: 'frustration', distress: 'détresse', grief: 'chagrin', gratitude: 'gratitude' },
    languages: { en: 'anglais', fr: 'français' },
    status: {
      delivered: 'livré',
      in_transit: 'en transit',
      out_for_delivery: 'en cours de livraison',
      delayed: 'en retard',
      exception_damaged: 'endommagé',
      exception_lost: 'perdu',
      returned_to_sender: 'retourné à l’expéditeur',
      not_found: 'introuvable',
    },
    noAttempt: 'aucune tentative, transmis directement à un conseiller',
    nothingCollected: 'rien collecté pour l’instant',
    collected: 'collecté',
    parcel: 'a consulté le colis',
    keys: { email: 'e-mail', orderNumber: 'commande', accountNumber: 'compte', parcelNews: 'nouvelle envoyée' },
  },
};

/** Human label of a handoff reason, in the agents' language (the reason itself when it has no label). */
export const reasonLabel = (reason: string, language: SummaryLanguage = 'en'): string => LABELS[language].reasons[reason] ?? reason;

const listOf = (items: readonly string[], and: string): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items[items.length - 1] as string}`;

/**
 * How agents name a customer: the display name the channel gave, or else (no name, or the channel's id in its place)
 * the channel and the last four characters of the id, e.g. "Web chat customer ···4257" ("Client du chat web ···4257").
 *
 * @example customerLabel({ id: 'dl-user-1796608646257', channel: 'directline' }) // 'Web chat customer ···6257'
 */
export function customerLabel(customer: Pick<CustomerIdentity, 'id' | 'name' | 'channel'>, language: SummaryLanguage = 'en'): string {
  const name = customer.name?.trim();
  if (name && name !== customer.id) return name;
  const l = LABELS[language];
  const tail = customer.id.replace(/[^\p{L}\p{N}]/gu, '').slice(-4);
  return l.unnamed(l.channels[customer.channel] ?? customer.channel, tail);
}

/** Most evidence words quoted in {@link explainTrigger}. */
const WHY_WORDS = 3;
/** Evidence words read at most (a handful in practice). */
const WHY_CANDIDATES = 20;

/**
 * Why a person is needed, in plain words for agents: the reason, the priority and what the customer said that showed
 * it, each quote once. "Fraud / security, high priority: the customer said “stole” and “payments I don't recognise”".
 *
 * @remarks Built from the case's structured trigger (intents first, then emotions), never from the policy's log line.
 * The evidence is the customer's words: redacted with `redactor` (default: the built-in one), each cut to 60 characters.
 */
export function explainTrigger(
  source: Pick<SummarySource, 'reason' | 'priority' | 'trigger'>,
  language: SummaryLanguage = 'en',
  redactor: Pick<Redactor, 'redact'> = defaultRedactor,
): string {
  const l = LABELS[language];
  const head = `${l.reasons[source.reason] ?? source.reason}, ${l.priority[source.priority] ?? source.priority}`;
  const fromIntents = source.trigger.intents.flatMap((i) => i.evidence.flatMap((e) => e.matched));
  const words = fromIntents.length ? fromIntents : source.trigger.emotions.flatMap((e) => e.evidence.flatMap((ev) => ev.matched));
  const candidates = new Map<string, string>();
  for (const word of words.slice(0, WHY_CANDIDATES)) {
    const flat = truncate(redactor.redact(word), 60);
    // Punctuation alone ("!!!") says nothing to a reader.
    if (/[\p{L}\p{N}]/u.test(flat) && !candidates.has(flat.toLowerCase())) candidates.set(flat.toLowerCase(), flat);
  }
  // A quote inside another one ("died" in "father died") says nothing more.
  const keys = [...candidates.keys()];
  const inside = (key: string) => keys.some((other) => other !== key && ` ${other} `.includes(` ${key} `));
  const quoted = keys.filter((key) => !inside(key)).slice(0, WHY_WORDS).map((key) => candidates.get(key) as string);
  return quoted.length ? `${head}${language === 'fr' ? ' : ' : ': '}${l.said(quoted)}` : head;
}

// Reasons for which the bot does not try first (policy defaults); a summary says so.
const NO_ATTEMPT: ReadonlySet<HandoffReason> = new Set(['bereavement', 'fraud', 'distress', 'human_request']);
// Collected keys the parcel line already shows.
const PARCEL_KEYS = new Set(['trackingNumber', 'carrier', 'parcelStatus']);

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${trimEndPunctuation(space > max * 0.6 ? cut.slice(0, space) : cut)}…`;
}

const TRAILING = /[\s,;:.]/;

/** `text` without its trailing spaces, commas, semicolons, colons and dots, in one pass (no backtracking regex). */
function trimEndPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && TRAILING.test(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}

/**
 * Writes the five-second summary of a case, in the agent's language.
 *
 * @remarks Pure. Quotes the customer's first message that carries the trigger's evidence (else their latest),
 * redacted and truncated. Reasons, emotions and parcel statuses are translated; custom ones are shown as named.
 * @example const s = summarizeCase(draft, { language: 'fr' }); card.text = s.text;
 */
export function summarizeCase(source: SummarySource, options: CaseSummaryOptions = {}): CaseSummary {
  const language = options.language ?? 'en';
  const l = LABELS[language];
  const redactor = options.redactor ?? defaultRedactor;
  const maxQuote = options.maxQuoteChars ?? 140;

  const name = customerLabel(source.customer, language);
  const channel = LABELS.en.channels[source.conversation.channel] ?? source.conversation.channel;
  const spoken = l.languages[source.language] ?? source.language;
  const who = `${name} · ${channel} · ${spoken}`;

  const evidenceWords = [
    ...source.trigger.intents.flatMap((i) => i.evidence.flatMap((e) => e.matched)),
    ...source.trigger.emotions.flatMap((e) => e.evidence.flatMap((ev) => ev.matched)),
  ].map((w) => w.toLowerCase());
  const customerLines = source.transcript.filter((t) => t.role === 'customer');
  // Each line is lower-cased once, not once per evidence word.
  const sensitive =
    customerLines.find((t) => {
      const lower = t.text.toLowerCase();
      return evidenceWords.some((w) => w && lower.includes(w));
    }) ?? customerLines[customerLines.length - 1];
  const reason = l.reasons[source.reason] ?? source.reason;
  const quote = sensitive ? ` — “${truncate(redactor.redact(sensitive.text), maxQuote)}”` : '';
  const wants = `${reason} (${l.priority[source.priority] ?? source.priority})${quote}`;

  const parts: string[] = [];
  const c = source.collected;
  if (c.trackingNumber) {
    const carrier = c.carrier ? ` (${c.carrier.toUpperCase()})` : '';
    const status = c.parcelStatus ? `: ${l.status[c.parcelStatus] ?? c.parcelStatus}` : '';
    parts.push(`${l.parcel} ${c.trackingNumber}${carrier}${status}`);
  }
  const others = Object.entries(c).filter(([k]) => !PARCEL_KEYS.has(k));
  if (others.length) {
    parts.push(`${l.collected}: ${others.map(([k, v]) => `${l.keys[k] ?? k} ${truncate(redactor.redact(v), 40)}`).join(', ')}`);
  }
  if (!parts.length) parts.push(NO_ATTEMPT.has(source.reason) ? l.noAttempt : l.nothingCollected);
  const bot = parts.join('; ');

  const minScore = options.minEmotionScore ?? 0.3;
  const emotions: EmotionScore[] = [...source.trigger.emotions, ...(source.trigger.signals?.emotions ?? [])];
  const top = emotions.filter((e) => e.score >= minScore).sort((a, b) => b.score - a.score)[0];
  let emotion = '';
  if (top) {
    const words = [...new Set(top.evidence.flatMap((e) => e.matched))].slice(0, 3).map((w) => `“${redactor.redact(w)}”`);
    emotion = `${l.emotions[top.name] ?? top.name} ${top.score.toFixed(1)}${words.length ? ` — ${words.join(', ')}` : ''}`;
  }

  const why = explainTrigger(source, language, redactor);
  const lines = [`${l.who}: ${who}`, `${l.wants}: ${wants}`, `${l.bot}: ${bot}`];
  if (emotion) lines.push(`${l.emotion}: ${emotion}`);
  lines.push(`${l.why}: ${why}`);
  return { language, who, wants, bot, emotion, why, text: lines.join('\n') };
}
