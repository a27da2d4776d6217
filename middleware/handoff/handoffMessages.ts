import type { HandoffReason } from './handoffCase';

/** Languages the customer-facing handoff texts exist in. */
export type HandoffLanguage = 'en' | 'fr';

/** How the customer may be contacted back, as recognised in their reply. */
export type CallbackPreference = 'phone' | 'email' | 'ticket' | 'chat';

/** Every customer-facing text of the handoff, in one language. Sentences stay short and never joke. */
export interface HandoffMessages {
  /** First words after a handoff decision, fitted to the reason (condolences, fraud reassurance...). */
  acknowledge(reason: HandoffReason): string;
  /** A person is coming; the queue position and expected wait when known. */
  queued(position: number | undefined, waitMinutes: number | undefined): string;
  /** Nobody can take the case now: offer a callback or a ticket, the case is kept. */
  noAgents(caseId: string): string;
  /** The wait passed the limit: apologise and offer a callback or a ticket. */
  timedOut(caseId: string): string;
  /** The reply did not name a contact preference: the options again. */
  callbackOptions: string;
  /** The callback or ticket is recorded. */
  callbackConfirmed(preference: CallbackPreference, caseId: string): string;
  /** A phone or e-mail callback was chosen without the number or address: ask for it. */
  askContact(preference: 'phone' | 'email'): string;
  /** The reply held no phone number or e-mail address: ask once more. */
  askContactAgain(preference: 'phone' | 'email'): string;
  /** Still no contact detail after asking twice: the case is kept, the team will answer in this chat. */
  contactMissing(caseId: string): string;
  /** The customer chose to keep waiting. */
  keepWaiting(position: number | undefined): string;
  /** The queue position changed. */
  positionUpdate(position: number): string;
  /** A message sent while waiting was added to the case. */
  waitingNoted(position: number | undefined): string;
  /** A waiting message could not be added: the case already holds its maximum of messages. */
  caseFull: string;
  /** A waiting message could not be added: the case is no longer waiting (closed meanwhile). */
  caseNoLongerOpen: string;
  /** Files the customer sent were noted (by name) on the case or for the agent; their content is not passed on. */
  attachmentNoted(labels: readonly string[]): string;
  /** The agent's conversation could not be reached: the message is saved on the case. */
  relaySaved: string;
  /** The agent stayed unreachable: the customer is back in the queue, messages saved. */
  requeued(position: number | undefined): string;
  /** The customer cancelled: back to the bot. */
  cancelled: string;
  /** Offer of a human, asked as a yes/no question. */
  offer(reason: HandoffReason): string;
  /** The customer declined the offer: the bot carries on. */
  offerDeclined: string;
  /** An agent claimed the case. */
  agentJoined(agentName: string | undefined): string;
  /**
   * The agent closed the case: back to the bot. A fixed sentence: the agent's closing note is internal and never
   * reaches the customer.
   */
  closed(agentName: string | undefined): string;
  /** Optional satisfaction question after a close. */
  rateQuestion: string;
  /** Thanks for a rating. */
  rated: string;
}

const minutes = (n: number, fr: boolean): string =>
  fr ? (n <= 1 ? 'environ 1 minute' : `environ ${n} minutes`) : n <= 1 ? 'about 1 minute' : `about ${n} minutes`;

const EN: HandoffMessages = {
  acknowledge(reason) {
    switch (reason) {
      case 'bereavement':
        return "I'm so sorry for your loss. You won't have to deal with this through a bot: I'm passing you to a person from our team who will take care of it with you.";
      case 'fraud':
        return "I understand this is worrying, and you did the right thing by telling us. A person from our security team will help you now. Please never share your PIN, passwords or full card number with anyone, including us.";
      case 'distress':
        return "I'm sorry you're going through this. I'm bringing in a person from our team to help you.";
      case 'human_request':
        return "Of course. I'm connecting you with a person from our team.";
      case 'deadline':
        return "I understand this can't wait. I'm bringing in a person from our team, with your request marked as a priority.";
      case 'anger':
      case 'frustration':
        return "I'm sorry about this. I'm bringing in a person from our team.";
      default:
        return "I'm connecting you with a person from our team.";
    }
  },
  queued(position, wait) {
    if (position === undefined) return 'They have everything you told me, so you will not need to repeat yourself.';
    const place = position === 1 ? "You're next in the queue" : `You're number ${position} in the queue`;
    const eta = wait === undefined ? '' : `, expected wait ${minutes(wait, false)}`;
    return `${place}${eta}. They have everything you told me, so you will not need to repeat yourself. Type "cancel" to go back to the assistant.`;
  },
  noAgents: (id) =>
    `No one from the team is available right now, but your case ${id} is kept with everything you told me. Would you like us to get back to you? Reply "phone", "email" or "ticket" (you can add your number or address), type "wait" to keep waiting, or "cancel".`,
  timedOut: (id) =>
    `I'm sorry for the wait. Your case ${id} is kept with everything you told me. Would you rather we got back to you? Reply "phone", "email" or "ticket", type "wait" to keep waiting, or "cancel".`,
  callbackOptions: 'Please reply "phone", "email" or "ticket" so we can get back to you, "wait" to keep waiting, or "cancel".',
  callbackConfirmed: (pref, id) =>
    pref === 'ticket'
      ? `Thank you. Ticket ${id} is open with everything you told me; the team will follow up.`
      : pref === 'chat'
        ? `Thank you. The team will answer you here in this chat about case ${id}; everything you told me is on it.`
        : `Thank you. We'll get back to you by ${pref === 'phone' ? 'phone' : 'e-mail'} about case ${id}; everything you told me is on it.`,
  askContact: (pref) =>
    pref === 'phone' ? 'Thank you. What phone number should we call you on?' : 'Thank you. What e-mail address should we write to?',
  askContactAgain: (pref) =>
    pref === 'phone'
      ? "I couldn't find a phone number in that. Please type the number we should call, for example +33 6 12 34 56 78."
      : "I couldn't find an e-mail address in that. Please type the address we should write to, for example name@example.com.",
  contactMissing: (id) =>
    `I still couldn't find a phone number or e-mail address, so the team will answer you here in this chat about case ${id}. Everything you told me is on it.`,
  keepWaiting: (position) => (position === undefined ? "All right, you're still in the queue." : `All right, you're number ${position} in the queue.`),
  positionUpdate: (position) => (position === 1 ? "You're next in the queue." : `You're now number ${position} in the queue.`),
  waitingNoted: (position) =>
    `I've added that to your case so the person sees it.${position === undefined ? '' : position === 1 ? " You're next in the queue." : ` You're number ${position} in the queue.`}`,
  caseFull:
    "Your case already holds as many messages as it can, so I couldn't add that one. The person will read our whole conversation when they join.",
  caseNoLongerOpen: "I couldn't add that: your request for a person has just ended. I'm still here if you need me.",
  attachmentNoted: (labels) =>
    `I've let the team know you sent ${labels.length === 1 ? `a file (${labels[0] ?? ''})` : `${labels.length} files (${labels.join(', ')})`}. The file itself is not passed on here; the person will tell you how to share it if they need it.`,
  relaySaved: "I couldn't reach the person helping you just now. Your message is saved on your case and they will see it.",
  requeued: (position) =>
    `The person helping you can't be reached, so I've put you back in the queue${position === undefined ? '' : position === 1 ? ": you're next" : ` (number ${position})`}. Everything you wrote is saved on your case.`,
  cancelled: "All right, I've cancelled the request for a person. I'm still here if you need me.",
  offer: (reason) =>
    reason === 'misunderstood' || reason === 'repeated_request'
      ? "I'm sorry I'm not getting this right. Would you like to talk to a person from our team? (yes / no)"
      : reason === 'deadline'
        ? 'As this can’t wait, a person from our team can look right away at what can still be done, as a priority. Would you like that? (yes / no)'
        : reason === 'fraud'
          ? 'If there is a payment or an access to your account that you don’t recognise, a person from our team can look at it with you now. Would you like that? (yes / no)'
          : 'Would you like to talk to a person from our team? (yes / no)',
  offerDeclined: "All right, let's keep going together. What can I do for you?",
  agentJoined: (name) => `${name ? name.split(/\s+/)[0] : 'A person'} from our team has joined and has your whole conversation. They'll reply here.`,
  closed: (name) =>
    `${name ? name.split(/\s+/)[0] : 'Our team member'} has closed this conversation. Thank you for your patience. You're back with the assistant; ask me about a parcel anytime.`,
  rateQuestion: 'If you have a moment: how would you rate this help, from 1 (poor) to 5 (excellent)?',
  rated: 'Thank you for your feedback.',
};

const FR: HandoffMessages = {
  acknowledge(reason) {
    switch (reason) {
      case 'bereavement':
        return 'Je suis sincèrement désolé pour votre perte. Vous n’aurez pas à régler cela avec un robot : je vous mets en relation avec une personne de notre équipe qui s’en occupera avec vous.';
      case 'fraud':
        return 'Je comprends que ce soit inquiétant, et vous avez bien fait de nous prévenir. Une personne de notre équipe sécurité va vous aider. Ne communiquez jamais votre code PIN, vos mots de passe ni votre numéro de carte complet à qui que ce soit, pas même à nous.';
      case 'distress':
        return 'Je suis désolé que vous traversiez cela. Je fais venir une personne de notre équipe pour vous aider.';
      case 'human_request':
        return 'Bien sûr. Je vous mets en relation avec une personne de notre équipe.';
      case 'deadline':
        return 'Je comprends que cela ne peut pas attendre. Je fais venir une personne de notre équipe, et votre demande est marquée comme prioritaire.';
      case 'anger':
      case 'frustration':
        return 'Je suis désolé pour ce désagrément. Je fais venir une personne de notre équipe.';
      default:
        return 'Je vous mets en relation avec une personne de notre équipe.';
    }
  },
  queued(position, wait) {
    if (position === undefined) return 'Elle a tout ce que vous m’avez dit : vous n’aurez rien à répéter.';
    const place = position === 1 ? 'Vous êtes le prochain dans la file' : `Vous êtes en position ${position} dans la file`;
    const eta = wait === undefined ? '' : `, attente estimée ${minutes(wait, true)}`;
    return `${place}${eta}. Elle a tout ce que vous m’avez dit : vous n’aurez rien à répéter. Tapez « annuler » pour revenir à l’assistant.`;
  },
  noAgents: (id) =>
    `Personne de l’équipe n’est disponible pour le moment, mais votre dossier ${id} est conservé avec tout ce que vous m’avez dit. Voulez-vous que l’on vous recontacte ? Répondez « téléphone », « e-mail » ou « ticket » (vous pouvez ajouter votre numéro ou adresse), « attendre » pour patienter, ou « annuler ».`,
  timedOut: (id) =>
    `Désolé pour l’attente. Votre dossier ${id} est conservé avec tout ce que vous m’avez dit. Préférez-vous que l’on vous recontacte ? Répondez « téléphone », « e-mail » ou « ticket », « attendre » pour patienter, ou « annuler ».`,
  callbackOptions: 'Répondez « téléphone », « e-mail » ou « ticket » pour être recontacté, « attendre » pour patienter, ou « annuler ».',
  callbackConfirmed: (pref, id) =>
    pref === 'ticket'
      ? `Merci. Le ticket ${id} est ouvert avec tout ce que vous m’avez dit ; l’équipe reviendra vers vous.`
      : pref === 'chat'
        ? `Merci. L’équipe vous répondra ici, dans cette conversation, au sujet du dossier ${id} ; tout ce que vous m’avez dit y figure.`
        : `Merci. Nous vous recontacterons par ${pref === 'phone' ? 'téléphone' : 'e-mail'} au sujet du dossier ${id} ; tout ce que vous m’avez dit y figure.`,
  askContact: (pref) =>
    pref === 'phone' ? 'Merci. À quel numéro de téléphone pouvons-nous vous appeler ?' : 'Merci. À quelle adresse e-mail pouvons-nous vous écrire ?',
  askContactAgain: (pref) =>
    pref === 'phone'
      ? 'Je n’ai pas trouvé de numéro de téléphone dans votre message. Tapez le numéro à appeler, par exemple 06 12 34 56 78.'
      : 'Je n’ai pas trouvé d’adresse e-mail dans votre message. Tapez l’adresse à laquelle écrire, par exemple nom@exemple.fr.',
  contactMissing: (id) =>
    `Je n’ai toujours pas trouvé de numéro ni d’adresse e-mail : l’équipe vous répondra donc ici, dans cette conversation, au sujet du dossier ${id}. Tout ce que vous m’avez dit y figure.`,
  keepWaiting: (position) =>
    position === undefined ? 'Très bien, vous restez dans la file.' : `Très bien, vous êtes en position ${position} dans la file.`,
  positionUpdate: (position) => (position === 1 ? 'Vous êtes maintenant le prochain dans la file.' : `Vous êtes maintenant en position ${position} dans la file.`),
  waitingNoted: (position) =>
    `J’ai ajouté cela à votre dossier pour que la personne le voie.${position === undefined ? '' : position === 1 ? ' Vous êtes le prochain dans la file.' : ` Vous êtes en position ${position} dans la file.`}`,
  caseFull:
    'Votre dossier contient déjà le maximum de messages, je n’ai donc pas pu ajouter celui-ci. La personne lira toute notre conversation en arrivant.',
  caseNoLongerOpen: 'Je n’ai pas pu l’ajouter : votre demande de mise en relation vient de se terminer. Je reste là si besoin.',
  attachmentNoted: (labels) =>
    `J’ai signalé à l’équipe que vous avez envoyé ${labels.length === 1 ? `un fichier (${labels[0] ?? ''})` : `${labels.length} fichiers (${labels.join(', ')})`}. Le fichier lui-même n’est pas transmis ici ; la personne vous dira comment le partager si besoin.`,
  relaySaved: 'Je n’arrive pas à joindre la personne qui vous aide pour le moment. Votre message est enregistré dans votre dossier et elle le verra.',
  requeued: (position) =>
    `La personne qui vous aide est injoignable : je vous ai remis dans la file${position === undefined ? '' : position === 1 ? ', vous êtes le prochain' : ` (position ${position})`}. Tout ce que vous avez écrit est enregistré dans votre dossier.`,
  cancelled: 'Très bien, j’ai annulé la demande de mise en relation. Je reste là si besoin.',
  offer: (reason) =>
    reason === 'misunderstood' || reason === 'repeated_request'
      ? 'Désolé, je n’y arrive pas. Voulez-vous parler à une personne de notre équipe ? (oui / non)'
      : reason === 'deadline'
        ? 'Comme cela ne peut pas attendre, une personne de notre équipe peut regarder tout de suite, en priorité, ce qui peut encore être fait. Le souhaitez-vous ? (oui / non)'
        : reason === 'fraud'
          ? 'Si un paiement ou un accès à votre compte ne vient pas de vous, une personne de notre équipe peut le regarder avec vous maintenant. Le souhaitez-vous ? (oui / non)'
          : 'Voulez-vous parler à une personne de notre équipe ? (oui / non)',
  offerDeclined: 'Très bien, continuons ensemble. Que puis-je faire pour vous ?',
  agentJoined: (name) => `${name ? name.split(/\s+/)[0] : 'Une personne'} de notre équipe vous a rejoint et a toute votre conversation. La réponse arrivera ici.`,
  closed: (name) =>
    `${name ? name.split(/\s+/)[0] : 'Notre conseiller'} a clos cette conversation. Merci de votre patience. Vous êtes de retour avec l’assistant ; demandez-moi où en est un colis quand vous voulez.`,
  rateQuestion: 'Si vous avez un instant : quelle note donneriez-vous à cette aide, de 1 (mauvaise) à 5 (excellente) ?',
  rated: 'Merci pour votre avis.',
};

const ALL: Readonly<Record<HandoffLanguage, HandoffMessages>> = { en: EN, fr: FR };

/**
 * The handoff texts in a language (`fr` for French, English otherwise).
 *
 * @example await ctx.sendActivity(handoffMessages('fr').acknowledge('bereavement'));
 */
export function handoffMessages(language: string | undefined): HandoffMessages {
  return language?.toLowerCase().startsWith('fr') ? ALL.fr : ALL.en;
}
