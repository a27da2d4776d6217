import type { Activity } from 'botbuilder-core';
import type { TranscriptEntry } from './handoff/handoffCase';

/**
 * Symbol property marking who an outgoing activity speaks for in the transcript (e.g. `agent` for a relayed agent
 * message). Symbol keys survive botbuilder's activity copies and are never serialised to a channel.
 */
export const TRANSCRIPT_ROLE: unique symbol = Symbol('warmline.transcriptRole');

/** An activity that may carry a {@link TRANSCRIPT_ROLE} mark. */
export type RoleMarkedActivity = Partial<Activity> & { [TRANSCRIPT_ROLE]?: TranscriptEntry['role'] };

/**
 * Marks an outgoing activity so the transcript records it under `role` instead of `bot`.
 *
 * @example await ctx.sendActivity(markTranscriptRole({ type: 'message', text }, 'agent'));
 */
export function markTranscriptRole<T extends Partial<Activity>>(activity: T, role: TranscriptEntry['role']): T {
  (activity as RoleMarkedActivity)[TRANSCRIPT_ROLE] = role;
  return activity;
}
