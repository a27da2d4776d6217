import { ActivityTypes, InputHints, type Activity } from 'botbuilder-core';
import type { TrackingView } from './trackingView';
import { labelColon as colon } from './labelColon';
import { trackingCard } from './trackingCard';
import { renderMode } from './renderMode';

export type { TrackingView } from './trackingView';

/** The Adaptive Card content type. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

// Slack's three control characters; carrier data and customer input must not become mentions or links.
const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const factLines = (view: TrackingView): Array<readonly [string, string]> => {
  const lines: Array<readonly [string, string]> = [
    [view.labels.status, view.statusName],
    [view.labels.carrier, view.carrierName],
    [view.labels.trackingNumber, view.trackingNumber],
  ];
  if (view.lastEvent) lines.push([view.labels.lastUpdate, view.lastEvent]);
  if (view.deliveredAt) lines.push([view.labels.deliveredOn, view.deliveredAt]);
  else if (view.expectedDelivery) lines.push([view.labels.expectedDelivery, view.expectedDelivery]);
  return lines;
};

/** A one-paragraph summary for screen readers, notifications and voice. */
export function trackingSummary(view: TrackingView): string {
  const parts = [view.headline];
  if (view.lastEvent) parts.push(`${view.labels.lastUpdate}${colon(view.language)} ${view.lastEvent}.`);
  if (view.deliveredAt) parts.push(`${view.labels.deliveredOn}${colon(view.language)} ${view.deliveredAt}.`);
  else if (view.expectedDelivery) parts.push(`${view.labels.expectedDelivery}${colon(view.language)} ${view.expectedDelivery}.`);
  return parts.join(' ');
}

/**
 * Renders a tracking answer for a channel.
 *
 * @remarks `msteams`, `webchat`, `directline`, `emulator`: an Adaptive Card (schema 1.4) with `summary` and `speak`
 * set to a plain summary (notifications, screen readers, voice) and no `text`, so the card is not doubled by a
 * bubble. `slack`: text in Slack mrkdwn (`*bold*`, bullets, `&`/`<`/`>` escaped; no Markdown headings), sent with
 * `textFormat: 'plain'` so the connector passes it to Slack unchanged. Elsewhere: plain text lines.
 * @example await ctx.sendActivity(renderTrackingReply(view, ctx.activity.channelId));
 */
export function renderTrackingReply(view: TrackingView, channelId: string | undefined): Partial<Activity> {
  const mode = renderMode(channelId);
  const summary = trackingSummary(view);
  if (mode === 'card') {
    return {
      type: ActivityTypes.Message,
      summary,
      speak: summary,
      inputHint: InputHints.AcceptingInput,
      attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: trackingCard(view) }],
    };
  }
  const c = colon(view.language);
  if (mode === 'slack') {
    const lines = [
      `*${slackEscape(view.labels.title)}* — ${slackEscape(view.headline)}`,
      ...factLines(view).map(([label, value]) => `• *${slackEscape(label)}${c}* ${slackEscape(value)}`),
    ];
    if (view.advice) lines.push(slackEscape(view.advice));
    return { type: ActivityTypes.Message, text: lines.join('\n'), textFormat: 'plain', speak: summary, inputHint: InputHints.AcceptingInput };
  }
  const lines = [view.headline, ...factLines(view).map(([label, value]) => `${label}${c} ${value}`)];
  if (view.advice) lines.push(view.advice);
  return { type: ActivityTypes.Message, text: lines.join('\n'), textFormat: 'plain', speak: summary, inputHint: InputHints.AcceptingInput };
}
