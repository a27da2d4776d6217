import { findTrackingNumbers } from '../../dialogs/tracking/carriers';
import { Redactor } from '../../middleware/handoff/redaction';

/**
 * The app's redactor: the built-in rules (cards, IBANs, e-mail addresses, phone numbers) with the bot's own
 * tracking-number finder (`dialogs/tracking`), so that a tracking number holding a card-sized piece stays as written
 * wherever the app stores or shows text (cases, transcripts, hubs, agents' live view).
 *
 * @remarks The handoff domain does not know the carriers: the wiring gives them to it here.
 */
export const trackingAwareRedactor = new Redactor({ trackingNumbers: (text) => findTrackingNumbers(text).filter((m) => m.valid) });
