import type { DialogLanguage, TrackingLabels } from '../messages';
import type { ParcelStatus } from '../tracking/trackingProvider';

/**
 * A tracking answer ready to show: every string already localised and every date already formatted.
 *
 * @remarks Built by `ParcelTrackingDialog`; a developer may build one to render their own answers the same way.
 */
export interface TrackingView {
  readonly language: DialogLanguage;
  readonly status: ParcelStatus;
  /** One sentence, e.g. "Your parcel is on its way." */
  readonly headline: string;
  /** What to do next, when there is something. */
  readonly advice?: string;
  readonly statusName: string;
  readonly carrierName: string;
  readonly trackingNumber: string;
  /** Place and time of the last scan, already joined, e.g. "Lyon, FR — Tuesday 3 June at 14:05". */
  readonly lastEvent?: string;
  readonly expectedDelivery?: string;
  readonly deliveredAt?: string;
  readonly labels: TrackingLabels;
}
