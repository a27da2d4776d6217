import { Culture, recognizeDateTime, recognizeEmail } from '@microsoft/recognizers-text-suite';
import type { DialogLanguage } from './messages';

const CULTURES: Readonly<Record<DialogLanguage, string>> = { en: Culture.English, fr: Culture.French };

/** Longest text handed to recognizers-text: its cost grows with length (~60 ms for 700 characters). */
const MAX_RECOGNIZER_CHARS = 200;

/**
 * What the date-time model sees: a window of this many characters around the first date word (or day number). Its
 * cost grows faster than its input: up to 0.6 s on 200 adversarial characters (digit groups, direction marks, emoji),
 * under 50 ms on 48.
 */
const DATE_WINDOW_CHARS = 48;
/** Characters of the window before the cue ("avant le 24 décembre", "by next Friday"). */
const DATE_WINDOW_BEFORE = 20;
const DATE_WORD =
  /\b(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|weekend|january|february|march|april|may|june|july|august|september|october|november|december|aujourd|demain|ce soir|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|semaine|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre)/i;
const DAY_NUMBER = /\b\d{1,2}(?:st|nd|rd|th|er|e)?\b|\b\d{1,2}[/.-]\d{1,2}\b/i;

/**
 * The part of `text` the date-time model reads: invisible format characters removed, a short window around the first
 * date cue (a day or month word, else a day number), or `undefined` when there is no cue (a tracking number's digits
 * are not one), so the model is not called for nothing.
 */
export function dateWindow(text: string): string | undefined {
  const cleaned = text.slice(0, MAX_RECOGNIZER_CHARS * 2).replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ');
  let at = cleaned.search(DATE_WORD);
  if (at < 0) at = cleaned.search(DAY_NUMBER);
  if (at < 0) return undefined;
  let from = Math.max(0, at - DATE_WINDOW_BEFORE);
  // Start on a word (the model misreads a cut word, and a leading space keeps it from resolving the date).
  const space = from > 0 ? cleaned.indexOf(' ', from - 1) : -1;
  if (space >= 0 && space < at) from = space + 1;
  return cleaned.slice(from, from + DATE_WINDOW_CHARS).trim();
}

/** Words that make a date plausible; without one (and without a digit) the date model is not called at all. */
const DATE_GATE =
  /\d|\b(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|weekend|january|february|march|april|may|june|july|august|september|october|november|december|aujourd hui|demain|ce soir|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|semaine|week end|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b/;

let warming: Promise<void> | undefined;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Loads the English and French recognizers-text models the dialogs use (e-mail, date-time) by running each once.
 *
 * @remarks The first French date-time call takes about two seconds; doing it at start-up keeps it off a customer's
 * turn. Each model is warmed in its own macrotask so the event loop still answers `/healthz` in between. Calling it
 * again returns the same promise. The server's `/readyz` waits for it.
 * @example await warmRecognizers();
 */
export function warmRecognizers(): Promise<void> {
  warming ??= (async () => {
    const reference = new Date();
    for (const language of ['en', 'fr'] as const) {
      await yieldToLoop();
      recognizeEmail(language === 'fr' ? 'mon adresse est client@exemple.fr' : 'my address is customer@example.com', CULTURES[language]);
      await yieldToLoop();
      recognizeDateTime(language === 'fr' ? 'avant vendredi 12 juin' : 'by Friday June 12', CULTURES[language], undefined, reference);
    }
  })();
  return warming;
}

/**
 * The first e-mail address in a message, lower-cased, or `undefined`.
 *
 * @remarks Uses recognizers-text-sequence; call it only on the step that asks for an e-mail address.
 */
export function recognizeEmailAddress(text: string, language: DialogLanguage): string | undefined {
  if (!text.includes('@')) return undefined;
  const found = recognizeEmail(text.slice(0, MAX_RECOGNIZER_CHARS), CULTURES[language]);
  const value: unknown = found[0]?.resolution?.value;
  return typeof value === 'string' ? value : undefined;
}

interface DateValue {
  type?: string;
  value?: string;
  start?: string;
  end?: string;
}

/**
 * A calendar day (`YYYY-MM-DD`) the customer mentions, e.g. "will it arrive by Friday?", resolved against `now`, or
 * `undefined`.
 *
 * @remarks Gated: the date-time model (3–30 ms) runs only when the text holds a day or month word or a day number
 * (not merely a tracking number's digits), and only on a short window around the first of them ({@link dateWindow}), so adversarial text cannot make it slow.
 * Of ambiguous values ("Friday": last one or next one) the first not in the past is kept; for "by/before X" the end
 * of the range is the day meant.
 */
export function recognizeDay(text: string, normalised: string, language: DialogLanguage, now: Date): string | undefined {
  if (!DATE_GATE.test(normalised)) return undefined;
  const window = dateWindow(text);
  if (window === undefined) return undefined;
  const today = now.toISOString().slice(0, 10);
  for (const result of recognizeDateTime(window, CULTURES[language], undefined, now)) {
    const values = (result.resolution?.values ?? []) as DateValue[];
    for (const v of values) {
      const day = (v.type === 'daterange' ? (v.end ?? v.start) : v.value)?.slice(0, 10);
      if (day && /^\d{4}-\d{2}-\d{2}$/.test(day) && day >= today) return day;
    }
  }
  return undefined;
}
