import type { BotState, TurnContext } from 'botbuilder-core';

// Turn-state key: the states an outer piece of this turn has promised to save when the turn ends.
const SAVED_AT_TURN_END = Symbol('warmline.savedAtTurnEnd');

const owners = (ctx: TurnContext): Set<BotState> | undefined => ctx.turnState.get(SAVED_AT_TURN_END) as Set<BotState> | undefined;

/**
 * Whether an outer piece of this turn (middleware running {@link withTurnEndSave}) will save `state` when the turn
 * ends, so an inner piece can skip its own `saveChanges` call.
 *
 * @remarks botbuilder's `saveChanges` re-hashes the whole state object on every call (even when nothing changed),
 * so several pieces each saving the same shared state cost several hashes per turn for one write.
 */
export function isSavedAtTurnEnd(ctx: TurnContext, state: BotState): boolean {
  return owners(ctx)?.has(state) === true;
}

/**
 * Runs `work` (usually the rest of the pipeline) and then saves `state` once, also when `work` throws, unless an
 * outer piece already does: the outermost Warmline piece holding a state saves it, the pieces inside skip theirs.
 *
 * @remarks One save per turn instead of one per piece: the signals middleware, the handoff middleware and
 * `CustomerBot` share one `ConversationState` and one cache; whichever runs first owns the save, and the others see
 * {@link isSavedAtTurnEnd}. The write happens after every piece has made its changes, as a single `saveChanges`.
 * @example
 * async onTurn(ctx, next) {
 *   await withTurnEndSave(ctx, this.conversationState, next);
 * }
 */
export async function withTurnEndSave(ctx: TurnContext, state: BotState, work: () => Promise<void>): Promise<void> {
  let set = owners(ctx);
  if (set?.has(state)) return work();
  if (!set) {
    set = new Set<BotState>();
    ctx.turnState.set(SAVED_AT_TURN_END, set);
  }
  set.add(state);
  try {
    await work();
  } finally {
    set.delete(state);
    await state.saveChanges(ctx, false);
  }
}
