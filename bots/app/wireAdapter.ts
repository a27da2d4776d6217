import { ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions, type TurnContext } from 'botbuilder';
import type { Config } from '../../config';
import { errorFields, type Logger } from '../../middleware/shared/logger';
import type { AgentDirectory } from '../../middleware/handoff/agentDirectory';
import { RetryLaterError, isRetryLater } from '../../middleware/shared/retryLater';
import { isTransientStorageError } from '../../middleware/shared/transientError';
import { WarmlineCloudAdapter } from './warmlineCloudAdapter';
import type { WiringContext } from './wiringContext';

/** A turn that failed this many times on this instance for want of storage gets the customer's "send it again". */
const FINAL_AFTER_ATTEMPTS = 3;

/**
 * The Bot Framework adapter: botbuilder's own authentication from the app id settings (anonymous without one), and
 * {@link turnErrorHandler} as its `onTurnError`.
 */
export function wireAdapter({ config, logger }: WiringContext, agents: AgentDirectory): WarmlineCloudAdapter {
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.MicrosoftAppId ?? '',
    MicrosoftAppPassword: config.MicrosoftAppPassword ?? '',
    MicrosoftAppType: config.MicrosoftAppType,
    MicrosoftAppTenantId: config.MicrosoftAppTenantId ?? '',
  } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new WarmlineCloudAdapter(auth);
  adapter.onTurnError = turnErrorHandler(config, agents, logger);
  return adapter;
}

/**
 * What happens to a turn that threw.
 *
 * @remarks Turns that could not keep what they were given are answered 503 with Retry-After (the error is rethrown
 * as a `RetryLaterError`), so the channel sends the activity again (idempotent on its id), unless this instance
 * already saw it fail that way a few times: then it is final, and the sender is told to send it again, each side in
 * its own words (an agent never gets the customer's apology, nor the other way round).
 */
export function turnErrorHandler(config: Config, agents: AgentDirectory, logger: Logger): (ctx: TurnContext, error: Error) => Promise<void> {
  const failedAttempts = new Map<string, number>();
  return async (ctx: TurnContext, error: Error) => {
    // Never log the activity's text: ids and the error class are enough to find the turn.
    const fields = { channel: ctx.activity.channelId, activityType: ctx.activity.type, activityId: ctx.activity.id, ...errorFields(error) };
    // A proactive turn (a relay, a notice) has no channel waiting for an answer: its caller must learn that the send
    // failed (the handoff keeps the message and counts an unreachable agent), not have it swallowed here.
    if (ctx.activity.type === 'event' && ctx.activity.name === 'ContinueConversation') throw error;
    // The same activity in progress elsewhere (or on an instance that died, until its claim runs out): only a wait.
    if (isRetryLater(error) && error.reason === 'busy') {
      logger.info('turn.busy_retry_later', fields);
      throw error;
    }
    if (isTransientStorageError(error) && ctx.responded) {
      // The turn had answered before storage failed (a state save at its end): a retry would answer twice, so the
      // channel is answered 200 and this turn's state change is lost (the next turn starts from the one before).
      logger.warn('turn.answered_state_not_kept', fields);
      return;
    }
    if (isTransientStorageError(error)) {
      const key = `${ctx.activity.channelId}/${ctx.activity.conversation?.id}/${ctx.activity.id}`;
      const attempts = (failedAttempts.get(key) ?? 0) + 1;
      failedAttempts.delete(key);
      if (attempts < FINAL_AFTER_ATTEMPTS) {
        failedAttempts.set(key, attempts);
        if (failedAttempts.size > 10_000) failedAttempts.delete(failedAttempts.keys().next().value as string);
        logger.warn('turn.retry_later', fields);
        throw isRetryLater(error) ? error : new RetryLaterError('storage unavailable', { cause: error });
      }
    }
    logger.error('turn.error', fields);
    if (ctx.activity.type !== 'message') return;
    const agent = agents.identify(ctx.activity);
    const french = /^fr\b/i.test(ctx.activity.locale ?? '') || (/^fr/i.test(config.DEFAULT_LOCALE) && !ctx.activity.locale);
    const text = agent
      ? 'Your message could not be handled because of a problem on our side, and it was not sent to the customer. Please send it again in a moment.'
      : french
        ? "Désolé, un problème technique de notre côté a empêché votre message d'arriver. Pouvez-vous le renvoyer dans un instant ?"
        : "Sorry, a problem on our side stopped your message from getting through. Please send it again in a moment.";
    try {
      await ctx.sendActivity(text);
    } catch (sendError) {
      logger.warn('turn.error_reply_failed', errorFields(sendError));
    }
  };
}
