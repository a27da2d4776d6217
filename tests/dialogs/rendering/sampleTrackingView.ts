import type { TrackingView } from '../../../dialogs/rendering/renderTrackingReply';
import { messagesFor, type DialogLanguage } from '../../../dialogs/messages';
import type { ParcelStatus } from '../../../dialogs/tracking/trackingProvider';

/** Every parcel status a tracking card shows. */
export const PARCEL_STATUSES: readonly ParcelStatus[] = [
  'delivered', 'in_transit', 'out_for_delivery', 'delayed', 'exception_damaged', 'exception_lost', 'returned_to_sender', 'not_found',
];

/**
 * A tracking answer as the dialog builds it, with the longest values a card meets: a 22-digit USPS number and a last
 * event with place, weekday, date and time.
 */
export function sampleTrackingView(status: ParcelStatus, language: DialogLanguage): TrackingView {
  const m = messagesFor(language);
  const fr = language === 'fr';
  return {
    language,
    status,
    headline: m.statusHeadline(status, 'warm'),
    advice: m.statusAdvice(status),
    statusName: m.statusName(status),
    carrierName: m.carrierName('colissimo'),
    trackingNumber: '9400111899223854017347',
    lastEvent: status === 'not_found' ? undefined : m.labels.placeAndTime('Louisville, KY, US', fr ? 'mercredi 25 novembre à 16:13' : 'Wednesday, November 25 at 4:13 PM'),
    expectedDelivery: status === 'delivered' || status === 'not_found' ? undefined : fr ? 'jeudi 10 décembre' : 'Thursday, December 10',
    deliveredAt: status === 'delivered' ? (fr ? 'mardi 3 juin à 14:05' : 'Tuesday, June 3 at 2:05 PM') : undefined,
    labels: m.labels,
  };
}
