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

/**
 * Guesses English or French from the words of a message, or `undefined` when it cannot tell (e.g. just a number).
 *
 * @remarks Accented letters count double for French. Costs a few microseconds; used only when the activity has no
 * locale and no signals are available.
 */
export function detectLanguage(text: string, normalised = normaliseText(text)): DialogLanguage | undefined {
  let fr = /[àâçéèêëîïôûùüÿœ]/i.test(text) ? 2 : 0;
  let en = 0;
  for (const word of normalised.split(' ')) {
    if (FRENCH_WORDS.has(word)) fr++;
    if (ENGLISH_WORDS.has(word)) en++;
  }
  if (fr === en) return undefined;
  return fr > en ? 'fr' : 'en';
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
  const normalised = normaliseText(text.length > 500 ? text.slice(0, 500) : text);
  const languageHint = detectLanguage(text, normalised);
  const focus = FOCUS_RULES.find(([, re]) => re.test(normalised))?.[0];
  const result = (intent: RequestIntent): RequestRecognition => ({ intent, focus, languageHint, normalised });

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
