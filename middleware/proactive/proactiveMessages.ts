/**
 * What Warmline says first about a parcel, in English and French: the news, what happens next, and a person one
 * message away. Plain text (every channel renders it); the tracking number is shown by its last four characters only.
 */
import type { CarrierEvent, ParcelEventStatus } from './carrierEvent';

/** Languages with texts; anything else gets English. */
export type ProactiveLanguage = 'en' | 'fr';

const language = (l: string): ProactiveLanguage => (l.toLowerCase().startsWith('fr') ? 'fr' : 'en');

/** `…7347`: enough for the customer to know which parcel, not the whole number in a chat history or a notification. */
export const parcelTail = (trackingNumber: string): string => `…${trackingNumber.slice(-4)}`;

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The date format of a language and zone, made once (a formatter costs about 80 µs to build). Unknown zones: UTC. */
function dateFormat(lang: ProactiveLanguage, timeZone: string): Intl.DateTimeFormat {
  const key = `${lang}|${timeZone}`;
  let f = dateFormats.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone });
    } catch {
      return dateFormat(lang, 'UTC');
    }
    if (dateFormats.size < 1000) dateFormats.set(key, f);
  }
  return f;
}

/** A date as customers read it: "Tuesday 9 December" / « mardi 9 décembre ». Undefined for an unreadable date. */
export function readableDate(iso: string | undefined, lang: string, timeZone: string): string | undefined {
  if (!iso) return undefined;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const t = Date.parse(dateOnly ? `${iso}T12:00:00Z` : iso);
  if (!Number.isFinite(t)) return undefined;
  return dateFormat(language(lang), dateOnly ? 'UTC' : timeZone).format(t);
}

interface Texts {
  delayed(tail: string, date: string | undefined): string;
  damaged(tail: string): string;
  lost(tail: string): string;
  returned(tail: string): string;
  otherException(tail: string): string;
  attemptFailed(tail: string): string;
  pickup(tail: string, place: string | undefined): string;
  outForDelivery(tail: string): string;
  delivered(tail: string): string;
  /** Said after a delay or an exception: a person is one message away. */
  personOffer: string;
  /** Said after an exception for a customer who was upset: a case is already open. */
  caseOpened: string;
  /** Said once when a parcel starts being watched. */
  watching: string;
  /** Said for "tell me when it's delivered". */
  watchingDelivery: string;
  /** Said for "stop". */
  stopped(count: number): string;
}

const EN: Texts = {
  delayed: (t, d) => `An update on your parcel ${t}: it is running late.${d ? ` The carrier now expects to deliver it on ${d}.` : ''} I'll tell you here if anything else changes.`,
  damaged: (t) => `I'm sorry: the carrier reports that your parcel ${t} was damaged on the way. You won't have to send anything back to be helped.`,
  lost: (t) => `I'm sorry: the carrier reports that your parcel ${t} has been lost. You won't pay for this mistake: we will send it again or refund you.`,
  returned: (t) => `I'm sorry: your parcel ${t} is being sent back to the sender. We will sort out a new delivery or a refund with you.`,
  otherException: (t) => `I'm sorry: the carrier reports a problem with your parcel ${t}.`,
  attemptFailed: (t) => `The carrier tried to deliver your parcel ${t} but could not. They will try again; you can also ask us to change the day or the address.`,
  pickup: (t, p) => `Your parcel ${t} is waiting for you at a pickup point${p ? ` (${p})` : ''}.`,
  outForDelivery: (t) => `Good news: your parcel ${t} is out for delivery today.`,
  delivered: (t) => `Your parcel ${t} has been delivered. I'll stop watching it now.`,
  personOffer: 'If you would like a person from our team to look at it with you, just write "a person".',
  caseOpened: 'A person from our team already has your conversation and will write to you here shortly.',
  watching: "I'll tell you here if anything changes with this parcel (write \"stop notifications\" to stop).",
  watchingDelivery: "Done: I'll tell you here when it's out for delivery and when it's delivered.",
  stopped: (n) => (n > 0 ? "All right, I won't send you parcel updates any more." : "You had no parcel updates on, so there's nothing to stop."),
};

const FR: Texts = {
  delayed: (t, d) => `Du nouveau pour votre colis ${t} : il a du retard.${d ? ` Le transporteur prévoit maintenant de le livrer le ${d}.` : ''} Je vous préviendrai ici si autre chose change.`,
  damaged: (t) => `Je suis désolé : le transporteur signale que votre colis ${t} a été endommagé pendant le transport. Vous n'aurez rien à renvoyer pour être aidé.`,
  lost: (t) => `Je suis désolé : le transporteur signale que votre colis ${t} a été perdu. Vous ne paierez pas pour cette erreur : nous vous le renverrons ou vous rembourserons.`,
  returned: (t) => `Je suis désolé : votre colis ${t} est renvoyé à l'expéditeur. Nous organiserons avec vous une nouvelle livraison ou un remboursement.`,
  otherException: (t) => `Je suis désolé : le transporteur signale un problème avec votre colis ${t}.`,
  attemptFailed: (t) => `Le transporteur a essayé de livrer votre colis ${t} sans y parvenir. Il repassera ; vous pouvez aussi nous demander de changer le jour ou l'adresse.`,
  pickup: (t, p) => `Votre colis ${t} vous attend dans un point de retrait${p ? ` (${p})` : ''}.`,
  outForDelivery: (t) => `Bonne nouvelle : votre colis ${t} est en cours de livraison aujourd'hui.`,
  delivered: (t) => `Votre colis ${t} a été livré. J'arrête de le suivre.`,
  personOffer: 'Si vous souhaitez qu’une personne de notre équipe regarde cela avec vous, écrivez simplement « un conseiller ».',
  caseOpened: 'Une personne de notre équipe a déjà votre conversation et vous écrira ici très vite.',
  watching: 'Je vous préviendrai ici si quelque chose change pour ce colis (écrivez « arrêter les notifications » pour arrêter).',
  watchingDelivery: 'C’est noté : je vous préviendrai ici quand il sera en cours de livraison et quand il sera livré.',
  stopped: (n) => (n > 0 ? 'Très bien, je ne vous enverrai plus de nouvelles de vos colis.' : 'Aucune notification n’était active, il n’y a rien à arrêter.'),
};

/** The texts of a language (`fr*` -> French, anything else English). */
export function proactiveTexts(lang: string): Texts {
  return language(lang) === 'fr' ? FR : EN;
}

/** Statuses after which a person is offered in the same message. */
const OFFER_AFTER: ReadonlySet<ParcelEventStatus> = new Set(['delayed', 'exception', 'attempt_failed']);

/**
 * The message sent first for `event`, in the watch's language: the news, then either that a case is open (`caseOpened`)
 * or how to reach a person.
 */
export function proactiveMessage(event: CarrierEvent, lang: string, options: { timeZone: string; caseOpened?: boolean }): string {
  const t = proactiveTexts(lang);
  const tail = parcelTail(event.trackingNumber);
  let text: string;
  switch (event.status) {
    case 'delayed':
      text = t.delayed(tail, readableDate(event.expectedDelivery, lang, options.timeZone));
      break;
    case 'exception':
      text =
        event.exception === 'damaged' ? t.damaged(tail) : event.exception === 'lost' ? t.lost(tail) : event.exception === 'returned' ? t.returned(tail) : t.otherException(tail);
      break;
    case 'attempt_failed':
      text = t.attemptFailed(tail);
      break;
    case 'available_for_pickup':
      text = t.pickup(tail, event.place);
      break;
    case 'out_for_delivery':
      text = t.outForDelivery(tail);
      break;
    case 'delivered':
      text = t.delivered(tail);
      break;
    default:
      return '';
  }
  if (options.caseOpened) return `${text} ${t.caseOpened}`;
  return OFFER_AFTER.has(event.status) ? `${text} ${t.personOffer}` : text;
}
