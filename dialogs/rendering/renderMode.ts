/** How a channel shows rich replies: an Adaptive Card, Slack mrkdwn text, or plain text. */
export type RenderMode = 'card' | 'slack' | 'plain';

const CARD_CHANNELS: ReadonlySet<string> = new Set(['msteams', 'webchat', 'directline', 'emulator']);

/**
 * The rendering a channel gets.
 *
 * @remarks Adaptive Cards on `msteams`, `webchat`, `directline` and `emulator`; Slack mrkdwn on `slack` (the Slack
 * connector turns Adaptive Cards into images); plain text everywhere else (SMS, e-mail, unknown channels).
 * @example renderMode('msteams') // 'card'
 */
export function renderMode(channelId: string | undefined): RenderMode {
  if (channelId === 'slack') return 'slack';
  return channelId && CARD_CHANNELS.has(channelId) ? 'card' : 'plain';
}
