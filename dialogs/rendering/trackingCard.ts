import { labelColon } from './labelColon';
import type { TrackingView } from './trackingView';

/** An Adaptive Card as JSON. */
export interface AdaptiveCardJson {
  readonly type: 'AdaptiveCard';
  readonly $schema: string;
  readonly version: string;
  readonly speak?: string;
  readonly fallbackText?: string;
  readonly body: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** Adaptive Card schema version of Warmline's cards: 1.4 renders in Teams (desktop and mobile) and Web Chat. */
export const CARD_VERSION = '1.4';

/**
 * The headline's colour per status. Only colours that keep a contrast of at least 4.5:1 (WCAG AA) on a white card in
 * both hosts' default light themes: Web Chat's (where `Good` and `Warning` would pass) and Teams' (where `Good` is a
 * light green and `Warning` a yellow, about 2:1 and 1.5:1). So good news and delays use the default text colour;
 * the status is in words anyway, never in colour alone.
 */
const COLOR: Readonly<Record<TrackingView['status'], 'Default' | 'Accent' | 'Attention'>> = {
  delivered: 'Default',
  out_for_delivery: 'Default',
  in_transit: 'Accent',
  delayed: 'Default',
  returned_to_sender: 'Default',
  not_found: 'Default',
  exception_damaged: 'Attention',
  exception_lost: 'Attention',
};

// Adaptive Card TextBlocks interpret a Markdown subset; data from a carrier must not turn into formatting or links.
const plain = (text: string): string => text.replace(/([\\*_~`[\]()#>])/g, '\\$1');

/**
 * The tracking answer as an Adaptive Card (schema 1.4): short message, status, carrier, number, last event, expected
 * delivery, and advice when there is any.
 *
 * @remarks Localised through the view's labels. `speak` carries the headline for voice clients and screen readers.
 * Each fact is one wrapping line, "**Label:** value", rather than a `FactSet`: a FactSet's label column shrinks on a
 * phone (390 px) until a long label breaks mid-word ("Transporte-ur") and long numbers break too; a line wraps only
 * between words. No `lang` property: adaptivecards 3.0.x validates it with a global (stateful) regular expression, so
 * it fails on every other card, and renderers take the language from the host anyway.
 */
export function trackingCard(view: TrackingView): AdaptiveCardJson {
  const facts: Array<readonly [string, string]> = [
    [view.labels.status, view.statusName],
    [view.labels.carrier, view.carrierName],
    [view.labels.trackingNumber, view.trackingNumber],
  ];
  if (view.lastEvent) facts.push([view.labels.lastUpdate, view.lastEvent]);
  if (view.deliveredAt) facts.push([view.labels.deliveredOn, view.deliveredAt]);
  else if (view.expectedDelivery) facts.push([view.labels.expectedDelivery, view.expectedDelivery]);
  const colon = labelColon(view.language);

  const body: Array<Record<string, unknown>> = [
    { type: 'TextBlock', text: plain(view.labels.title), size: 'Small', weight: 'Bolder', isSubtle: true, wrap: true },
    { type: 'TextBlock', text: plain(view.headline), size: 'Medium', weight: 'Bolder', color: COLOR[view.status], wrap: true },
    ...facts.map(([label, value], i) => ({
      type: 'TextBlock',
      text: `**${plain(label)}${colon}** ${plain(value)}`,
      wrap: true,
      spacing: i === 0 ? 'Medium' : 'Small',
    })),
  ];
  if (view.advice) body.push({ type: 'TextBlock', text: plain(view.advice), wrap: true, spacing: 'Medium' });

  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    speak: view.headline,
    fallbackText: view.headline,
    body,
  };
}
