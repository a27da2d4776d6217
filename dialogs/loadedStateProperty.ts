import type { BotState, StatePropertyAccessor, TurnContext } from 'botbuilder-core';

/**
 * A {@link StatePropertyAccessor} that reads a property straight from its state once that state is loaded in the
 * turn, instead of going through botbuilder's accessor (a generator, a load call and several promises per read).
 *
 * @remarks Reads of a property that is present in the loaded state return that very object, as botbuilder's own
 * accessor does; everything else (state not loaded yet, property missing and created from a default, `set`,
 * `delete`) is delegated to botbuilder's accessor, so the semantics are the library's. Used by the dialogs, which
 * read the same few properties several times per turn.
 * @example
 * const facts = new LoadedStateProperty<ConversationFacts>(conversationState, CONVERSATION_FACTS_PROPERTY);
 * const f = await facts.get(ctx, emptyFacts());
 */
export class LoadedStateProperty<T> implements StatePropertyAccessor<T> {
  private readonly accessor: StatePropertyAccessor<T>;

  constructor(
    private readonly state: BotState,
    /** Property name in the state. */
    readonly name: string,
  ) {
    if (!state) throw new TypeError('LoadedStateProperty: state is required');
    this.accessor = state.createProperty<T>(name);
  }

  get(context: TurnContext): Promise<T | undefined>;
  get(context: TurnContext, defaultValue: T): Promise<T>;
  get(context: TurnContext, defaultValue?: T): Promise<T | undefined> {
    const loaded = this.state.get(context) as Record<string, unknown> | undefined;
    if (loaded && Object.prototype.hasOwnProperty.call(loaded, this.name)) return Promise.resolve(loaded[this.name] as T);
    return defaultValue === undefined ? this.accessor.get(context) : this.accessor.get(context, defaultValue);
  }

  set(context: TurnContext, value: T): Promise<void> {
    return this.accessor.set(context, value);
  }

  delete(context: TurnContext): Promise<void> {
    return this.accessor.delete(context);
  }
}
