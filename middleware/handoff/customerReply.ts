import type { CallbackPreference } from './handoffMessages';
import type { Satisfaction } from './handoffCase';

/** What a short customer reply means to the handoff (yes/no to an offer, cancel, a rating, a callback...). */
export type CustomerReply =
  | { readonly kind: 'yes' }
  | { readonly kind: 'no' }
  | { readonly kind: 'cancel' }
  | { readonly kind: 'wait' }
  | { readonly kind: 'rating'; readonly value: Satisfaction }
  | {
      readonly kind: 'callback';
      readonly preference: CallbackPreference;
      readonly contact?: string;
      /** The customer named the way to reach them ("call me", "by e-mail", "ticket", "here"), not just a number. */
      readonly explicit: boolean;
    }
  | { readonly kind: 'other' };

const fold = (text: string): string =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’']/g, ' ')
    .replace(/[^a-z0-9@.+/\s-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

// Whole replies only: "yes" in "yes my parcel is late" is not an answer to the offer.
const YES = /^(?:yes|yeah|yep|yup|sure|ok|okay|please|yes please|yes thanks|yes thank you|of course|oui|ouais|oui merci|oui s il vous plait|oui svp|d accord|ok merci|volontiers|bien sur|avec plaisir)\.?$/;
const NO = /^(?:no|nope|nah|no thanks|no thank you|not now|no need|non|non merci|pas besoin|pas maintenant|ca ira|non ca va)\.?$/;
const CANCEL = /^(?:cancel|cancel it|cancel please|cancel that|stop|never mind|nevermind|annuler|annule|annulez|laisse tomber|laissez tomber|stop annuler)\.?$/;
const WAIT = /^(?:wait|i ll wait|i will wait|keep waiting|i can wait|attendre|j attends|je vais attendre|je patiente|patienter)\.?$/;
const PHONE_WORDS = /\b(?:phone|call|call me|callback|call back|ring me|telephone|tel|appel|appelez moi|rappel|rappelez moi|portable|mobile)\b/;
const EMAIL_WORDS = /\b(?:email|e-mail|mail|courriel|e mail)\b/;
const TICKET_WORDS = /\b(?:ticket|tickets)\b/;
// Phrases that choose a way to be reached, whatever else the message says.
const PHONE_CHOICE = /\b(?:call me|call me back|call back|callback|ring me|phone me|by phone|by telephone|rappelez moi|appelez moi|rappelle moi|par telephone|au telephone|me rappeler|m appeler)\b/;
const EMAIL_CHOICE = /\b(?:by e ?mail|by mail|e ?mail me|mail me|write to me|contact me by|reach me by|par e ?mail|par mail|par courriel|ecrivez moi|envoyez moi un (?:e ?mail|mail|courriel))\b/;
// "Answer me here": no contact detail needed. Whole replies only ("the chat was useless" is not a choice).
const CHAT = /^(?:here|chat|in the chat|here in the chat|in this chat|ici|dans le chat|ici dans le chat|par chat|sur le chat|le chat)\.?$/;
// Looked for from the start of each run of non-space characters only (the lookbehind): a match can only start there,
// and without it every character of a long run would be a start scanning the whole run again (quadratic).
const EMAIL = /(?<![^\s@])[^\s@]+@[^\s@]+\.[^\s@]+/;
// A phone number stands on its own: not digits inside a longer token such as a tracking number (6A24188037153).
const PHONE = /(?<![\w+])\+?\d[\d\s.-]{6,}\d(?!\w)/;
const RATING = /^(?:([1-5])(?:\s*\/\s*5)?(?:\s*(?:stars?|etoiles?))?)\.?$/;

/**
 * Reads a short customer reply: yes/no, cancel, wait, a 1–5 rating, or a callback preference (with the number or
 * address when given), in English and French.
 *
 * @remarks Pure. Only whole short replies count (so "yes my parcel is late" is `other`). Contact details are returned
 * to be stored on the case: personal data, never log them.
 * @example readCustomerReply('oui') // { kind: 'yes' }
 */
export function readCustomerReply(text: string | undefined): CustomerReply {
  if (!text) return { kind: 'other' };
  const raw = text.trim().slice(0, 300);
  const t = fold(raw);
  if (!t) return { kind: 'other' };
  if (YES.test(t)) return { kind: 'yes' };
  if (NO.test(t)) return { kind: 'no' };
  if (CANCEL.test(t)) return { kind: 'cancel' };
  if (WAIT.test(t)) return { kind: 'wait' };
  const rating = RATING.exec(t);
  if (rating) return { kind: 'rating', value: Number(rating[1]) as Satisfaction };
  const email = EMAIL.exec(raw)?.[0];
  const phone = PHONE.exec(raw)?.[0];
  // "my phone was stolen yesterday and I need help" is not a callback choice: only short replies or contact details.
  if (t.split(' ').length > 8 && !email && !phone) return { kind: 'other' };
  const w = t.replace(/-/g, ' ');
  // Without a phrase choosing a way to be reached, only (almost) whole replies count: "order 12345678 is late" or
  // "my email jo@x.fr is wrong on the order" are not callback choices.
  const rest = (email || phone ? w.replace(fold(email ?? phone ?? '').replace(/-/g, ' '), ' ') : w).split(' ').filter(Boolean).length;
  const short = rest <= 3;
  const emailChosen = EMAIL_CHOICE.test(w) || (short && EMAIL_WORDS.test(w));
  const phoneChosen = PHONE_CHOICE.test(w) || (short && PHONE_WORDS.test(w));
  if (emailChosen || (email && short && !phoneChosen)) {
    return { kind: 'callback', preference: 'email', explicit: emailChosen, ...(email ? { contact: email } : {}) };
  }
  if (phoneChosen || (phone && short)) {
    return { kind: 'callback', preference: 'phone', explicit: phoneChosen, ...(phone ? { contact: phone.trim() } : {}) };
  }
  if (short && TICKET_WORDS.test(w)) return { kind: 'callback', preference: 'ticket', explicit: true };
  if (CHAT.test(t)) return { kind: 'callback', preference: 'chat', explicit: true };
  return { kind: 'other' };
}

/** A contact detail found in a customer's reply. Personal data: store it on the case, never log it. */
export interface ContactDetail {
  readonly kind: 'phone' | 'email';
  readonly value: string;
}

/**
 * Finds a phone number or an e-mail address in a reply (loosely: 8+ digits with spaces, dots or dashes, or
 * `something@domain.tld`), for a callback that still lacks one.
 *
 * @example readContact('it is 06 12 34 56 78') // { kind: 'phone', value: '06 12 34 56 78' }
 */
export function readContact(text: string | undefined): ContactDetail | undefined {
  const raw = (text ?? '').trim().slice(0, 300);
  const email = EMAIL.exec(raw)?.[0];
  if (email) return { kind: 'email', value: withoutTrailingPunctuation(email) };
  const phone = PHONE.exec(raw)?.[0];
  return phone ? { kind: 'phone', value: phone.trim() } : undefined;
}

/** `text` without the punctuation a sentence puts after an address (`.` `,` `;` `:` `!` `?` `)`), in one pass. */
function withoutTrailingPunctuation(text: string): string {
  let end = text.length;
  while (end > 0 && '.,;:!?)'.includes(text.charAt(end - 1))) end--;
  return text.slice(0, end);
}
