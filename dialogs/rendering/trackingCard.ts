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

const COLOR: Readonly<Record<TrackingView['status'], string>> = {
  delivered: 'Good',
  out_for_delivery: 'Good',
  in_transit: 'Accent',
  delayed: 'Warning',
  returned_to_sender: 'Warning',
  not_found: 'Warning',
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
 * No `lang` property: adaptivecards 3.0.x validates it with a global (stateful) regular expression, so it fails on
 * every other card, and renderers take the language from the host anyway.
 */
export function trackingCard(view: TrackingView): AdaptiveCardJson {
  const facts: Array<{ title: string; value: string }> = [
    { title: view.labels.status, value: plain(view.statusName) },
    { title: view.labels.carrier, value: plain(view.carrierName) },
    { title: view.labels.trackingNumber, value: plain(view.trackingNumber) },
  ];
  if (view.lastEvent) facts.push({ title: view.labels.lastUpdate, value: plain(view.lastEvent) });
  if (view.deliveredAt) facts.push({ title: view.labels.deliveredOn, value: plain(view.deliveredAt) });
  else if (view.expectedDelivery) facts.push({ title: view.labels.expectedDelivery, value: plain(view.expectedDelivery) });

  const body: Array<Record<string, unknown>> = [
    { type: 'TextBlock', text: plain(view.labels.title), size: 'Small', weight: 'Bolder', isSubtle: true, wrap: true },
    { type: 'TextBlock', text: plain(view.headline), size: 'Medium', weight: 'Bolder', color: COLOR[view.status], wrap: true },
    { type: 'FactSet', facts },
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
