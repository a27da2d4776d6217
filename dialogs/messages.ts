import type { CarrierId, ParcelStatus } from './tracking/trackingProvider';

/** Languages the built-in dialogs speak. */
export type DialogLanguage = 'en' | 'fr';

/**
 * How a reply should sound: `warm` is friendly and may show a little enthusiasm; `calm` is for a customer who is
 * upset (short, no exclamation marks, no cheerfulness).
 */
export type Tone = 'warm' | 'calm';

/** What a follow-up question is about. */
export type FollowUpKind = 'eta' | 'delivered' | 'where' | 'status';

/** Labels of the tracking card and of the text rendering. */
export interface TrackingLabels {
  readonly title: string;
  readonly status: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly lastUpdate: string;
  readonly expectedDelivery: string;
  readonly deliveredOn: string;
  /** Joins a place and a time, e.g. "Lyon, FR — Tuesday 3 June, 14:05". */
  readonly placeAndTime: (place: string | undefined, time: string | undefined) => string;
}

/** Every user-facing string of the dialogs, for one language. */
export interface DialogMessages {
  readonly welcome: (tone: Tone) => string;
  readonly help: string;
  readonly greeting: (tone: Tone) => string;
  readonly thanks: (tone: Tone) => string;
  readonly cancelled: string;
  readonly nothingToCancel: string;
  /**
   * Fallback after `count` consecutive messages the bot did not understand. It never offers a person itself: the
   * handoff policy makes that offer (once, as a yes/no question), so the customer is not offered a person twice.
   */
  readonly notUnderstood: (count: number) => string;
  /** The customer declined the offer of a person while nothing was waiting for an answer. */
  readonly carryOn: string;
  readonly askNumber: (tone: Tone) => string;
  readonly askNumberAgain: string;
  /**
   * Said when a number-like text fails validation. `expected` is the carriers' format description (lower-case
   * phrase); `typo` is true when it has a carrier's shape but a wrong check digit.
   */
  readonly invalidNumber: (expected: string, typo: boolean) => string;
  readonly noTextAtPrompt: string;
  readonly offerEmailPath: string;
  /** Said before the e-mail question when the last answers were not numbers at all. */
  readonly offerOtherPath: string;
  readonly askEmail: (tone: Tone) => string;
  readonly invalidEmail: string;
  readonly emailLookupNoted: (email: string) => string;
  readonly emailPathGaveUp: string;
  /** The customer said they have no e-mail address for the order either. */
  readonly noEmail: string;
  readonly reusingParcel: (trackingNumber: string) => string;
  readonly anotherParcelHint: string;
  readonly lookingUp: string;
  readonly providerTimeout: string;
  readonly providerUnavailable: string;
  /** One-sentence headline per status (also the card's short message and the speak text). */
  readonly statusHeadline: (status: ParcelStatus, tone: Tone) => string;
  /** What the customer can do next, per status, or undefined when nothing more is needed. */
  readonly statusAdvice: (status: ParcelStatus) => string | undefined;
  readonly statusName: (status: ParcelStatus) => string;
  readonly carrierName: (carrier: CarrierId) => string;
  readonly labels: TrackingLabels;
  /** Follow-up answers. Dates are already formatted. */
  readonly followUp: {
    readonly eta: (expected: string | undefined, status: ParcelStatus) => string;
    readonly etaVersusDate: (expected: string, asked: string, inTime: boolean) => string;
    readonly delivered: (deliveredAt: string | undefined, status: ParcelStatus) => string;
    readonly where: (place: string | undefined, time: string | undefined, status: ParcelStatus) => string;
  };
  readonly notFound: (trackingNumber: string) => string;
}

const CARRIERS: Readonly<Record<string, { en: string; fr: string }>> = {
  ups: { en: 'UPS', fr: 'UPS' },
  fedex: { en: 'FedEx', fr: 'FedEx' },
  usps: { en: 'USPS', fr: 'USPS' },
  dhl: { en: 'DHL Express', fr: 'DHL Express' },
  laposte: { en: 'La Poste', fr: 'La Poste' },
  colissimo: { en: 'Colissimo', fr: 'Colissimo' },
  chronopost: { en: 'Chronopost', fr: 'Chronopost' },
  upu: { en: 'International post', fr: 'Poste internationale' },
};

const carrierName = (lang: DialogLanguage) => (carrier: CarrierId): string =>
  CARRIERS[carrier]?.[lang] ?? carrier.charAt(0).toUpperCase() + carrier.slice(1);

/** Adds " — " between two optional parts. */
const joinParts = (a: string | undefined, b: string | undefined): string => [a, b].filter(Boolean).join(' — ');

const en: DialogMessages = {
  welcome: (tone) =>
    tone === 'calm'
      ? "Hello, I'm the Warmline assistant. I can track a parcel for you, and a member of our team is always within reach."
      : "Hi there! I'm the Warmline assistant. I can tell you where your parcel is — just ask, for example \"where is my parcel?\". And if you'd rather talk to a person, just say so.",
  help:
    'Here is what I can do: track a parcel (say "where is my parcel?", or send me its tracking number), ' +
    'and answer follow-up questions such as "when will it arrive?". Say "cancel" at any time to stop, ' +
    'or ask for a person and someone from our team will take over.',
  greeting: (tone) =>
    tone === 'calm' ? 'Hello. How can I help you?' : 'Hello! How can I help you today? I can track a parcel for you.',
  thanks: (tone) => (tone === 'calm' ? "You're welcome." : "You're very welcome! Anything else I can do for you?"),
  cancelled: "No problem, I've stopped there. Just ask whenever you need me.",
  nothingToCancel: "There's nothing in progress, so nothing to cancel. How can I help?",
  notUnderstood: (count) =>
    count <= 1
      ? "Sorry, I didn't quite get that. I can track a parcel for you — try \"where is my parcel?\" or send me the tracking number."
      : 'I\'m sorry, I still didn\'t understand. I\'m best at tracking parcels: send me the tracking number, or say "help" to see what I can do.',
  carryOn: "All right, let's keep going together. What can I do for you?",
  askNumber: (tone) =>
    tone === 'calm'
      ? "Let's look into it. What's the tracking number? It's in your shipping confirmation e-mail."
      : "Of course! What's the tracking number? You'll find it in your shipping confirmation e-mail.",
  askNumberAgain: 'Could you send me the tracking number? If you don\'t have it, just say "I don\'t have it".',
  invalidNumber: (expected, typo) =>
    (typo
      ? 'Hmm, one character of that number seems to be off — it may be a small typo. '
      : "Hmm, that doesn't look like a tracking number I know. ") +
    `For reference, ${expected}. Could you check it and send it again? If you don't have it, just say "I don't have it".`,
  noTextAtPrompt: 'I need the tracking number as text — could you type it for me?',
  offerEmailPath: "That number still doesn't work, so let's try another way.",
  offerOtherPath: "Let's try another way.",
  askEmail: (tone) =>
    tone === 'calm'
      ? "That's fine. What e-mail address did you use for the order? Our team can find the parcel from it."
      : "No worries! What e-mail address did you use for the order? Our team can find your parcel from it.",
  invalidEmail: "That doesn't look like an e-mail address. Could you type it again, for example name@example.com?",
  emailLookupNoted: (email) =>
    `Thank you, I've noted ${email}. I can't search orders by e-mail myself, but a person from our team can: just say "talk to a person" and they'll see the address, so you won't have to give it again.`,
  emailPathGaveUp:
    "I couldn't read an e-mail address, and that's OK. If you'd like, ask for a person and someone from our team will help you find your parcel.",
  noEmail:
    "That's OK. Without the number or the e-mail address I can't look the parcel up myself, but a person from our team can help you find it: just ask for a person.",
  reusingParcel: (n) => `Let me check parcel ${n} again.`,
  anotherParcelHint: 'If you meant another parcel, just send me its tracking number.',
  lookingUp: 'One moment, I’m checking…',
  providerTimeout:
    "I'm sorry, the tracking system is taking too long to answer right now. Could you try again in a few minutes? " +
    'Or, if you prefer, ask for a person and someone from our team will look into it.',
  providerUnavailable:
    "I'm sorry, I can't reach the tracking system at the moment. Could you try again a little later? " +
    'Or, if you prefer, ask for a person and someone from our team will look into it.',
  statusHeadline: (status, tone) => {
    const warm = tone === 'warm';
    switch (status) {
      case 'delivered':
        return warm ? 'Good news: your parcel has been delivered!' : 'Your parcel has been delivered.';
      case 'in_transit':
        return warm ? 'Your parcel is on its way.' : 'Your parcel is on its way.';
      case 'out_for_delivery':
        return warm ? 'Your parcel is out for delivery — it should reach you today!' : 'Your parcel is out for delivery and should arrive today.';
      case 'delayed':
        return "I'm sorry, your parcel is delayed.";
      case 'exception_damaged':
        return "I'm sorry, the carrier reports that your parcel was damaged.";
      case 'exception_lost':
        return "I'm sorry, the carrier reports that your parcel has been lost.";
      case 'returned_to_sender':
        return 'Your parcel is being returned to the sender.';
      case 'not_found':
        return "I couldn't find a parcel with this number.";
    }
  },
  statusAdvice: (status) => {
    switch (status) {
      case 'delayed':
        return "It's still on its way; the expected delivery date is the carrier's latest estimate.";
      case 'exception_damaged':
      case 'exception_lost':
        return 'This needs a person: ask for someone from our team and they will arrange a replacement or a refund with you.';
      case 'returned_to_sender':
        return 'If you still want it, someone from our team can help you arrange a new delivery — just ask.';
      case 'not_found':
        return "Carriers sometimes take a day to show a new parcel. Please check the number, or say \"I don't have it\" and we'll find it another way.";
      default:
        return undefined;
    }
  },
  statusName: (status) =>
    ({
      delivered: 'Delivered',
      in_transit: 'In transit',
      out_for_delivery: 'Out for delivery',
      delayed: 'Delayed',
      exception_damaged: 'Damaged',
      exception_lost: 'Lost',
      returned_to_sender: 'Returned to sender',
      not_found: 'Not found',
    })[status],
  carrierName: carrierName('en'),
  labels: {
    title: 'Your parcel',
    status: 'Status',
    carrier: 'Carrier',
    trackingNumber: 'Tracking number',
    lastUpdate: 'Last update',
    expectedDelivery: 'Expected delivery',
    deliveredOn: 'Delivered',
    placeAndTime: joinParts,
  },
  followUp: {
    eta: (expected, status) => {
      if (status === 'delivered') return 'It has already arrived: it was delivered.';
      if (status === 'out_for_delivery') return expected ? `It's out for delivery, so it should arrive today (${expected}).` : "It's out for delivery, so it should arrive today.";
      if (expected) return `It's expected on ${expected}.`;
      return "The carrier hasn't given a delivery date yet. I'm sorry I can't be more precise.";
    },
    etaVersusDate: (expected, asked, inTime) =>
      inTime
        ? `Yes, it should be there by then: it's expected on ${expected}.`
        : `I'm afraid it's expected a little later than ${asked}: on ${expected}.`,
    delivered: (at, status) => {
      if (status === 'delivered') return at ? `Yes, it was delivered on ${at}.` : 'Yes, it has been delivered.';
      if (status === 'out_for_delivery') return 'Not yet, but it is out for delivery and should arrive today.';
      return 'Not yet — it hasn’t been delivered.';
    },
    where: (place, time, status) => {
      if (status === 'delivered') return place ? `It was delivered in ${place}${time ? ` on ${time}` : ''}.` : 'It has been delivered.';
      if (place) return `Its last scan was in ${place}${time ? ` on ${time}` : ''}.`;
      return "The carrier hasn't shared where it is yet.";
    },
  },
  notFound: (n) => `I couldn't find parcel ${n}.`,
};

const fr: DialogMessages = {
  welcome: (tone) =>
    tone === 'calm'
      ? "Bonjour, je suis l'assistant Warmline. Je peux suivre un colis pour vous, et un membre de notre équipe reste toujours joignable."
      : "Bonjour ! Je suis l'assistant Warmline. Je peux vous dire où en est votre colis — demandez-moi par exemple « où est mon colis ? ». Et si vous préférez parler à quelqu'un, dites-le-moi simplement.",
  help:
    'Voici ce que je sais faire : suivre un colis (dites « où est mon colis ? » ou envoyez-moi son numéro de suivi) ' +
    'et répondre aux questions qui suivent, comme « il arrive quand ? ». Dites « annuler » à tout moment pour arrêter, ' +
    "ou demandez un conseiller et quelqu'un de notre équipe prendra le relais.",
  greeting: (tone) =>
    tone === 'calm' ? 'Bonjour. Comment puis-je vous aider ?' : "Bonjour ! Comment puis-je vous aider aujourd'hui ? Je peux suivre un colis pour vous.",
  thanks: (tone) => (tone === 'calm' ? 'Je vous en prie.' : 'Avec plaisir ! Puis-je faire autre chose pour vous ?'),
  cancelled: "D'accord, j'arrête là. Je reste à votre disposition.",
  nothingToCancel: "Il n'y a rien en cours, donc rien à annuler. Comment puis-je vous aider ?",
  notUnderstood: (count) =>
    count <= 1
      ? "Pardon, je n'ai pas bien compris. Je peux suivre un colis pour vous : essayez « où est mon colis ? » ou envoyez-moi le numéro de suivi."
      : "Je suis désolé, je n'ai toujours pas compris. Je suis surtout doué pour le suivi des colis : envoyez-moi le numéro de suivi, ou dites « aide » pour voir ce que je sais faire.",
  carryOn: 'Très bien, continuons ensemble. Que puis-je faire pour vous ?',
  askNumber: (tone) =>
    tone === 'calm'
      ? "Regardons cela. Quel est le numéro de suivi ? Il figure dans l'e-mail de confirmation d'expédition."
      : "Bien sûr ! Quel est le numéro de suivi ? Vous le trouverez dans l'e-mail de confirmation d'expédition.",
  askNumberAgain: "Pouvez-vous m'envoyer le numéro de suivi ? Si vous ne l'avez pas, dites simplement « je ne l'ai pas ».",
  invalidNumber: (expected, typo) =>
    (typo
      ? "Hum, un caractère de ce numéro ne semble pas correct, c'est peut-être une petite faute de frappe. "
      : 'Hum, ce numéro ne ressemble pas à un numéro de suivi que je connais. ') +
    `Pour rappel, ${expected}. Pouvez-vous le vérifier et me le renvoyer ? Si vous ne l'avez pas, dites simplement « je ne l'ai pas ».`,
  noTextAtPrompt: "J'ai besoin du numéro de suivi sous forme de texte : pouvez-vous le taper ?",
  offerEmailPath: 'Ce numéro ne fonctionne toujours pas, essayons autrement.',
  offerOtherPath: 'Essayons autrement.',
  askEmail: (tone) =>
    tone === 'calm'
      ? "Ce n'est pas grave. Quelle adresse e-mail avez-vous utilisée pour la commande ? Notre équipe pourra retrouver le colis à partir de celle-ci."
      : "Pas de souci ! Quelle adresse e-mail avez-vous utilisée pour la commande ? Notre équipe pourra retrouver votre colis à partir de celle-ci.",
  invalidEmail: "Cela ne ressemble pas à une adresse e-mail. Pouvez-vous la retaper, par exemple nom@exemple.fr ?",
  emailLookupNoted: (email) =>
    `Merci, j'ai noté ${email}. Je ne peux pas rechercher une commande par e-mail moi-même, mais un conseiller le peut : dites simplement « parler à un conseiller » et il verra cette adresse, vous n'aurez pas à la redonner.`,
  emailPathGaveUp:
    "Je n'ai pas pu lire d'adresse e-mail, ce n'est pas grave. Si vous le souhaitez, demandez un conseiller et un membre de notre équipe vous aidera à retrouver votre colis.",
  noEmail:
    "Ce n'est pas grave. Sans le numéro ni l'adresse e-mail, je ne peux pas rechercher le colis moi-même, mais un conseiller peut vous aider à le retrouver : il suffit de le demander.",
  reusingParcel: (n) => `Je vérifie à nouveau le colis ${n}.`,
  anotherParcelHint: "S'il s'agit d'un autre colis, envoyez-moi simplement son numéro de suivi.",
  lookingUp: 'Un instant, je vérifie…',
  providerTimeout:
    'Je suis désolé, le système de suivi met trop de temps à répondre en ce moment. Pouvez-vous réessayer dans quelques minutes ? ' +
    "Ou, si vous préférez, demandez un conseiller et quelqu'un de notre équipe s'en occupera.",
  providerUnavailable:
    "Je suis désolé, je n'arrive pas à joindre le système de suivi pour le moment. Pouvez-vous réessayer un peu plus tard ? " +
    "Ou, si vous préférez, demandez un conseiller et quelqu'un de notre équipe s'en occupera.",
  statusHeadline: (status, tone) => {
    const warm = tone === 'warm';
    switch (status) {
      case 'delivered':
        return warm ? 'Bonne nouvelle : votre colis a été livré !' : 'Votre colis a été livré.';
      case 'in_transit':
        return 'Votre colis est en route.';
      case 'out_for_delivery':
        return warm ? "Votre colis est en cours de livraison : il devrait arriver aujourd'hui !" : "Votre colis est en cours de livraison et devrait arriver aujourd'hui.";
      case 'delayed':
        return 'Je suis désolé, votre colis a du retard.';
      case 'exception_damaged':
        return 'Je suis désolé, le transporteur signale que votre colis a été endommagé.';
      case 'exception_lost':
        return 'Je suis désolé, le transporteur signale que votre colis a été perdu.';
      case 'returned_to_sender':
        return "Votre colis est en cours de retour à l'expéditeur.";
      case 'not_found':
        return "Je n'ai trouvé aucun colis avec ce numéro.";
    }
  },
  statusAdvice: (status) => {
    switch (status) {
      case 'delayed':
        return 'Il est toujours en route ; la date de livraison prévue est la dernière estimation du transporteur.';
      case 'exception_damaged':
      case 'exception_lost':
        return "Cela demande l'aide d'une personne : demandez un conseiller, il organisera avec vous un remplacement ou un remboursement.";
      case 'returned_to_sender':
        return "Si vous le souhaitez toujours, un conseiller peut vous aider à organiser une nouvelle livraison : il suffit de le demander.";
      case 'not_found':
        return "Les transporteurs mettent parfois un jour à afficher un nouveau colis. Vérifiez le numéro, ou dites « je ne l'ai pas » et nous le retrouverons autrement.";
      default:
        return undefined;
    }
  },
  statusName: (status) =>
    ({
      delivered: 'Livré',
      in_transit: 'En transit',
      out_for_delivery: 'En cours de livraison',
      delayed: 'Retardé',
      exception_damaged: 'Endommagé',
      exception_lost: 'Perdu',
      returned_to_sender: "Retourné à l'expéditeur",
      not_found: 'Introuvable',
    })[status],
  carrierName: carrierName('fr'),
  labels: {
    title: 'Votre colis',
    status: 'Statut',
    carrier: 'Transporteur',
    trackingNumber: 'Numéro de suivi',
    lastUpdate: 'Dernière mise à jour',
    expectedDelivery: 'Livraison prévue',
    deliveredOn: 'Livré le',
    placeAndTime: joinParts,
  },
  followUp: {
    eta: (expected, status) => {
      if (status === 'delivered') return 'Il est déjà arrivé : il a été livré.';
      if (status === 'out_for_delivery') return expected ? `Il est en cours de livraison, il devrait donc arriver aujourd'hui (${expected}).` : "Il est en cours de livraison, il devrait donc arriver aujourd'hui.";
      if (expected) return `Il est prévu pour le ${expected}.`;
      return "Le transporteur n'a pas encore donné de date de livraison. Je suis désolé de ne pas pouvoir être plus précis.";
    },
    etaVersusDate: (expected, asked, inTime) =>
      inTime
        ? `Oui, il devrait être là à temps : il est prévu pour le ${expected}.`
        : `J'ai bien peur qu'il arrive un peu après le ${asked} : il est prévu pour le ${expected}.`,
    delivered: (at, status) => {
      if (status === 'delivered') return at ? `Oui, il a été livré le ${at}.` : 'Oui, il a été livré.';
      if (status === 'out_for_delivery') return "Pas encore, mais il est en cours de livraison et devrait arriver aujourd'hui.";
      return "Pas encore : il n'a pas été livré.";
    },
    where: (place, time, status) => {
      if (status === 'delivered') return place ? `Il a été livré à ${place}${time ? ` le ${time}` : ''}.` : 'Il a été livré.';
      if (place) return `Son dernier passage enregistré : ${place}${time ? `, le ${time}` : ''}.`;
      return "Le transporteur n'a pas encore indiqué où il se trouve.";
    },
  },
  notFound: (n) => `Je n'ai pas trouvé le colis ${n}.`,
};

/** The built-in message tables, one per language. */
export const MESSAGES: Readonly<Record<DialogLanguage, DialogMessages>> = { en, fr };

/**
 * The messages for a language.
 *
 * @example messagesFor('fr').help
 */
export function messagesFor(language: DialogLanguage): DialogMessages {
  return MESSAGES[language];
}
