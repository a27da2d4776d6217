import type { DialogLanguage, FollowUpKind } from './messages';

/** What a customer message asks for, as far as the built-in dialogs are concerned. */
export type RequestIntent = 'cancel' | 'help' | 'noNumber' | 'track' | 'greeting' | 'thanks' | 'none';

/** Result of {@link recognizeRequest}. Plain data. */
export interface RequestRecognition {
  readonly intent: RequestIntent;
  /**
   * What a follow-up question is about ("and when will it arrive?" -> `eta`), when the message has that shape.
   * Meaningful with intent `track` or `none`: a follow-up can be phrased without naming the parcel.
   */
  readonly focus?: FollowUpKind;
  /** Language the words point to, when they point clearly to one. */
  readonly languageHint?: DialogLanguage;
  /**
   * Language the message is confidently written in (see {@link confidentLanguage}): strong enough to answer in it
   * even when the channel's locale says otherwise. Never set for short or ambiguous messages ("ok", "merci", a number).
   */
  readonly writtenIn?: DialogLanguage;
  /** Lower-case, accent-free, punctuation-free text used for matching (and as a request key). */
  readonly normalised: string;
}

/**
 * Lower-cases, removes accents and turns punctuation (apostrophes and hyphens included) into single spaces.
 *
 * @example normaliseText("Où est-il ?") // "ou est il"
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

// Anchored so that "I want to cancel my order" is not a request to stop the conversation.
const CANCEL =
  /^(?:(?:please|ok|okay|oh|non|no|svp|merci|bon)\s)*(?:cancel|annuler|annule|annulez|stop|arrete|arreter|arretez|quit|quitter|exit|never ?mind|forget it|laisse tomber|laissez tomber|on arrete|abandon|abandonner)(?:\s(?:please|it|that|this|svp|s il vous plait|s il te plait|merci|ca|tout|la))*$/;

const HELP =
  /^(?:(?:please|svp|hi|hello|bonjour)\s)*(?:help|aide|a l aide|aidez moi|aide moi|help me|i need help|j ai besoin d aide|besoin d aide|what can you do|what do you do|how does this work|que sais tu faire|que savez vous faire|que pouvez vous faire|tu sais faire quoi|vous faites quoi|comment ca marche|menu|options)(?:\s(?:please|svp|s il vous plait|me|moi))*$/;

const NO_NUMBER: readonly RegExp[] = [
  /\b(?:don t|dont|do not|didn t|didnt|did not|never|haven t|havent|have not|can t|cant|cannot) (?:have|know|find|got|get|receive|received|keep|kept|remember|see)(?: (?:the|a|my|any|that|this))?(?: tracking)? (?:it|one|number|numbers|code|that|them)\b/,
  /\b(?:don t|dont|do not|haven t|havent) (?:have|got)(?: it| one)?$/,
  /\b(?:no|without(?: a| the| any)?|lost(?: the| my)?|have no|there s no|there is no|misplaced(?: the| my)?)(?: tracking)? (?:number|code)\b/,
  /^(?:i )?lost it$/,
  /\bje (?:ne )?l ai (?:pas|plus|jamais|perdu)\b/,
  /\b(?:pas|aucun|sans|perdu|egare)(?: de| le| du| mon)? (?:numero|num|code)(?: de suivi)?\b/,
  /\bje (?:ne )?(?:le |l )?(?:connais|sais|trouve|retrouve|vois) (?:pas|plus)$/,
  /\bje (?:ne )?(?:le |l )?(?:connais|trouve|retrouve|vois) (?:pas|plus)\b/,
];

const PARCEL_NOUNS = new Set([
  'parcel', 'parcels', 'package', 'packages', 'order', 'orders', 'shipment', 'shipments', 'delivery', 'item', 'items',
  'colis', 'commande', 'commandes', 'paquet', 'paquets', 'livraison', 'envoi', 'expedition',
]);
const TRACK_VERBS = new Set([
  'where', 'wheres', 'shipped', 'ship', 'arrive', 'arrived', 'arriving', 'arrives', 'received', 'receive', 'delivered',
  'status', 'update', 'late', 'coming', 'sent', 'dispatched', 'ou', 'recu', 'recue', 'recus', 'arrivee', 'livre',
  'livree', 'expedie', 'expediee', 'envoye', 'envoyee', 'statut', 'etat', 'retard', 'nouvelles', 'quand', 'when',
]);
const TRACK_WORDS = new Set(['track', 'tracking', 'trace', 'suivi', 'suivre', 'tracer', 'localiser']);

const GREETING =
  /^(?:hi|hello|hey|hiya|good (?:morning|afternoon|evening)|bonjour|bonsoir|salut|coucou|allo|hello there|hi there)(?: there| all| everyone| a tous| bot| warmline)?$/;
const THANKS = /^(?:(?:ok|okay|great|super|parfait|perfect|nice|cool|top|d accord)\s)*(?:thanks?|thank you|thx|cheers|merci)\b/;

const FOCUS_RULES: ReadonlyArray<readonly [FollowUpKind, RegExp]> = [
  ['eta', /\b(?:when|what time|how long|what day|which day|quand|quelle heure|quel jour|combien de temps|delai|eta|arrival|expected|prevu|prevue|by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow)|avant (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain)|d ici (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain))\b/],
  ['eta', /\b(?:will|does|is) (?:it|she|he|my \w+|the \w+) (?:arrive|come|get here|be (?:here|delivered|there))\b/],
  ['eta', /\b(?:il|elle) (?:arrive|arrivera|va arriver|sera livre|sera livree|sera la)\b/],
  // A day the customer needs it by ("I need it by the 12th", "il me le faut pour vendredi"): checked against the tracking.
  ['eta', /\b(?:by|before) (?:next |this )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|the weekend|the \d{1,2}(?:st|nd|rd|th)?)\b|\b(?:need|needs|needed) (?:it|them|this|that|these|the \w+|my \w+) (?:by|before|for|on) (?:next |this )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|the weekend|the \d{1,2}(?:st|nd|rd|th)?)\b/],
  ['eta', /\b(?:il me le faut|il me la faut|il me les faut|il nous le faut|j en ai besoin|j en aurai besoin|on en a besoin|je dois l avoir|je dois le recevoir|je dois la recevoir) (?:absolument )?(?:pour|avant|d ici|au plus tard) (?:ce |le |la )?(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|ce soir|\d{1,2}(?:er)?)\b|\bavant le \d{1,2}(?:er)?\b/],
  ['delivered', /\b(?:is|has|was|did|have)\b(?: \w+){0,3} (?:delivered|arrived|received|come)\b/],
  ['delivered', /\b(?:est|a)(?: t)? (?:il|elle)(?: ete)?(?: deja)? (?:livre|livree|arrive|arrivee)\b/],
  ['delivered', /\b(?:il|elle) (?:est|a ete)(?: deja)? (?:livre|livree|arrive|arrivee)\b/],
  ['delivered', /^(?:delivered|livre|livree|deja livre|already delivered)$/],
  ['where', /\bwhere (?:is|s) (?:it|she|he)\b|\bwhere now\b|\bwhere is it now\b/],
  ['where', /\bou (?:est|se trouve|en est)(?: t)? (?:il|elle)\b|\bou (?:il|elle) est\b/],
  ['status', /\b(?:any (?:update|news)|news|du nouveau|des nouvelles|try again|retry|check again|again|reessayer|reessaie|reessayez|encore|verifie encore|re verifier)\b/],
];

const FRENCH_WORDS = new Set([
  'je', 'j', 'mon', 'ma', 'mes', 'est', 'ou', 'colis', 'commande', 'suivi', 'pas', 'le', 'la', 'les', 'du', 'des', 'il',
  'elle', 'quand', 'bonjour', 'merci', 'salut', 'annuler', 'aide', 'numero', 'n', 'l', 'ai', 'recu', 'livre', 'vous',
  'oui', 'non', 'une', 'c', 'ca', 'et', 'qu', 'que', 'quoi', 'avec', 'pour', 'mais', 'encore', 'arrive', 'paquet',
  'livraison', 'bonsoir', 'svp', 'plait', 'toujours', 'rien', 'deja', 'ete', 'avez', 'suis', 'veux', 'voudrais',
]);
const ENGLISH_WORDS = new Set([
  'my', 'is', 'where', 'the', 'parcel', 'package', 'order', 'track', 'it', 'when', 'i', 'have', 'has', 'don', 'hello',
  'hi', 'thanks', 'thank', 'help', 'cancel', 'number', 'not', 'and', 'will', 'what', 'you', 'yes', 'of', 'to', 'did',
  'didn', 'does', 'arrived', 'delivered', 'shipped', 'received', 'please', 'still', 'yet', 'already', 'want', 'can',
  'this', 'that', 'there', 'hey', 'was', 'get', 'got', 'am', 'need', 'tracking', 'shipment', 'with',
]);

/** Scores of each language in a message: one point per known word, two for French accented letters. */
interface LanguageScores {
  readonly fr: number;
  readonly en: number;
  /** Known words of each language (accents not counted). */
  readonly frWords: number;
  readonly enWords: number;
}

function scoreLanguages(text: string, normalised: string): LanguageScores {
  const accent = /[àâçéèêëîïôûùüÿœ]/i.test(text) ? 2 : 0;
  let frWords = 0;
  let enWords = 0;
  for (const word of normalised.split(' ')) {
    if (FRENCH_WORDS.has(word)) frWords++;
    if (ENGLISH_WORDS.has(word)) enWords++;
  }
  return { fr: frWords + accent, en: enWords, frWords, enWords };
}

/**
 * Guesses English or French from the words of a message, or `undefined` when it cannot tell (e.g. just a number).
 *
 * @remarks Accented letters count double for French. Costs a few microseconds; used only when the activity has no
 * locale and no signals are available.
 */
export function detectLanguage(text: string, normalised = normaliseText(text)): DialogLanguage | undefined {
  return leaning(scoreLanguages(text, normalised));
}

const leaning = ({ fr, en }: LanguageScores): DialogLanguage | undefined => (fr === en ? undefined : fr > en ? 'fr' : 'en');

/** Least score (words, plus 2 for French accents) for a message to be confidently in a language. */
const CONFIDENT_SCORE = 3;
/** Least number of known words of that language (an accent alone never decides). */
const CONFIDENT_WORDS = 2;
/** The winner must outscore the other language this many times over. */
const CONFIDENT_RATIO = 3;

/**
 * The language a message is confidently written in, or `undefined`.
 *
 * @remarks Confident means: at least {@link CONFIDENT_WORDS} known words of one language, a score of at least
 * {@link CONFIDENT_SCORE} (French accents add 2) and at least {@link CONFIDENT_RATIO} times the other language's score.
 * So "où est mon colis ?", "je ne l'ai pas" or "where is my parcel?" are confident; "ok", "merci", "bonjour",
 * "oui"/"no", a tracking number alone, or a mix of both languages are not, and keep the conversation's language.
 * @example confidentLanguage("je ne l'ai pas") // 'fr'
 */
export function confidentLanguage(text: string, normalised = normaliseText(text)): DialogLanguage | undefined {
  return confident(scoreLanguages(text, normalised));
}

function confident(s: LanguageScores): DialogLanguage | undefined {
  if (s.frWords >= CONFIDENT_WORDS && s.fr >= CONFIDENT_SCORE && s.fr >= CONFIDENT_RATIO * s.en) return 'fr';
  if (s.enWords >= CONFIDENT_WORDS && s.en >= CONFIDENT_SCORE && s.en >= CONFIDENT_RATIO * s.fr) return 'en';
  return undefined;
}

/**
 * True when the message holds something typed as a tracking number: the whole message, when it holds no word, is one
 * code once spaces and dashes are removed ("1Z 999 AA1 01 2345 678"), or one of its words is a long code (8 to 40
 * letters and digits with at least 6 digits and at most 5 letters, like "1Z999AA1012345678" or "6A2418803715"), or a
 * run of at least 10 digits (9 for a message that is only the number) that is not a phone number ("+33…", a French
 * "06…" number).
 *
 * @remarks Says nothing about validity (see `validateTrackingNumber`): it lets a mistyped number get the format help
 * outside the number prompt too. Dates ("12/05/2024") and short amounts are not codes. One linear pass over the
 * first 500 characters.
 * @example looksLikeTrackingNumber('where is 1Z999AA1012345678') // true
 */
export function looksLikeTrackingNumber(text: string): boolean {
  const head = text.length > 500 ? text.slice(0, 500) : text;
  // The whole message as one code only when it holds no word (a group of three letters or more without a digit).
  if (!LETTER_WORD.test(head)) {
    const whole = head.replace(WHOLE_NUMBER_NOISE, '').replace(NUMBER_PREFIX, '');
    if (isCode(whole, true)) return true;
  }
  for (const [word] of head.matchAll(CODE_WORD)) {
    if (isCode(word.replace(/-/g, ''), false)) return true;
  }
  return false;
}

const LETTER_WORD = /(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])/;
const WHOLE_NUMBER_NOISE = /[\s.\-\u00A0\u202F\u2010\u2011\u2013]+/g;
const NUMBER_PREFIX = /^(?:#|n°|nº|no)(?=[A-Za-z0-9])/i;
// A word of letters, digits and inner dashes, not right after a `+` (a phone number) or inside a longer word.
const CODE_WORD = /(?<![+\w])[A-Za-z0-9][A-Za-z0-9-]*/g;

function isCode(s: string, alone: boolean): boolean {
  if (s.length < 8 || s.length > 40 || !/^[A-Za-z0-9]+$/.test(s)) return false;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
  }
  const letters = s.length - digits;
  if (letters > 0) return letters <= 5 && digits >= 6;
  // Digits only (carriers' all-digit numbers have 10 or more): longer than a date, and not a French phone number. A
  // message that is just the number may be one digit short.
  return digits >= (alone ? 9 : 10) && !(digits === 10 && s.startsWith('0'));
}

/**
 * A small pattern and lexicon recogniser for the built-in requests, in English and French (accents optional).
 *
 * @remarks Order of the rules: cancel and help (whole-message commands), "I don't have the number", tracking
 * requests (a parcel word with a tracking verb, or a tracking word alone), greetings, thanks. Tracking numbers are
 * found separately by the carriers module. Runs in a few microseconds: no recognizers-text here.
 * @example recognizeRequest('où est mon colis ?').intent // 'track'
 */
export function recognizeRequest(text: string): RequestRecognition {
  const head = text.length > 500 ? text.slice(0, 500) : text;
  const normalised = normaliseText(head);
  const scores = scoreLanguages(head, normalised);
  const languageHint = leaning(scores);
  const writtenIn = confident(scores);
  const focus = FOCUS_RULES.find(([, re]) => re.test(normalised))?.[0];
  const result = (intent: RequestIntent): RequestRecognition => ({ intent, focus, languageHint, writtenIn, normalised });

  if (normalised === '') return result('none');
  if (CANCEL.test(normalised)) return result('cancel');
  if (HELP.test(normalised)) return result('help');
  if (NO_NUMBER.some((re) => re.test(normalised))) return result('noNumber');

  const words = normalised.split(' ');
  let noun = false;
  let verb = false;
  let trackWord = false;
  for (const w of words) {
    if (PARCEL_NOUNS.has(w)) noun = true;
    if (TRACK_VERBS.has(w)) verb = true;
    if (TRACK_WORDS.has(w)) trackWord = true;
  }
  if (trackWord || (noun && verb) || (noun && words.length <= 2)) return result('track');
  if (GREETING.test(normalised)) return result('greeting');
  if (words.length <= 6 && THANKS.test(normalised)) return result('thanks');
  return result('none');
}
