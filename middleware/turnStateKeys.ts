import type { TurnContext } from 'botbuilder-core';

/**
 * A typed turn-state key: a unique symbol that remembers the type of the value stored under it.
 *
 * @remarks botbuilder's own advice is to key turn state with a unique symbol; the phantom type makes
 * `readTurn` return the right type without casts at every call site.
 */
export type TurnKey<T> = symbol & { readonly __type?: T };

/** Creates a typed turn-state key. */
export const turnKey = <T>(name: string): TurnKey<T> => Symbol(name) as TurnKey<T>;

/** Reads a typed value from turn state, or `undefined` when no middleware stored one this turn. */
export const readTurn = <T>(ctx: TurnContext, key: TurnKey<T>): T | undefined => ctx.turnState.get(key) as T | undefined;

/** Stores a typed value in turn state. */
export const writeTurn = <T>(ctx: TurnContext, key: TurnKey<T>, value: T): void => {
  ctx.turnState.set(key, value);
};
