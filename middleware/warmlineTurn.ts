import type { TurnContext } from 'botbuilder-core';
import type { Signals } from './signals/signals';
import { readTurn, turnKey, writeTurn } from './turnStateKeys';

/**
 * What Warmline's middleware learned about the current turn: one typed record in botbuilder's turn state.
 *
 * @remarks Each field has one writer, and the writers run in the order of {@link TURN_WRITERS} (the order
 * {@link createWarmlineMiddleware} builds and checks); a piece reads only fields written before it. Read it with
 * {@link warmlineTurn} anywhere later in the turn: in a dialog, a bot handler, a metrics middleware.
 * @example
 * const { signals } = warmlineTurn(ctx);
 * if (hasIntent(signals, 'bereavement')) ...
 */
export interface WarmlineTurn {
  /** `ActivityDedupMiddleware`: the activity is a channel's retry of one already handled, so the turn does nothing. */
  readonly duplicate?: boolean;
  /** `InputGuardMiddleware`: the message's text was cut to the length limit (the agent is told). */
  readonly textShortened?: boolean;
  /** `SignalsMiddleware`: emotion, intents and trajectory of the customer's message. */
  readonly signals?: Signals;
}

/** A field of {@link WarmlineTurn}. */
export type TurnField = keyof WarmlineTurn;

/** The writer of each field, in the order they run. */
export const TURN_WRITERS: Readonly<Record<TurnField, string>> = Object.freeze({
  duplicate: 'ActivityDedupMiddleware',
  textShortened: 'InputGuardMiddleware',
  signals: 'SignalsMiddleware',
});

/** The fields a middleware piece writes and reads, declared so {@link checkTurnOrder} can check a pipeline. */
export interface TurnFields {
  readonly writes: readonly TurnField[];
  readonly reads: readonly TurnField[];
}

/** A middleware that declares its {@link TurnFields}. */
export interface TurnRecorder {
  readonly turnFields: TurnFields;
}

const TURN = turnKey<WarmlineTurn>('warmline.turn');
const EMPTY: WarmlineTurn = Object.freeze({});

/** The current turn's record (empty before any piece wrote to it). */
export function warmlineTurn(ctx: TurnContext): WarmlineTurn {
  return readTurn(ctx, TURN) ?? EMPTY;
}

/**
 * Writes one field of the current turn's record.
 *
 * @throws `Error` when the field was already written this turn: each field has one writer, once per turn.
 */
export function recordTurn<K extends TurnField>(ctx: TurnContext, field: K, value: NonNullable<WarmlineTurn[K]>): void {
  const current = readTurn(ctx, TURN) ?? EMPTY;
  if (current[field] !== undefined) throw new Error(`Warmline turn record: "${field}" was already written this turn`);
  writeTurn(ctx, TURN, Object.freeze({ ...current, [field]: value }));
}

const declares = (piece: unknown): piece is TurnRecorder =>
  typeof piece === 'object' && piece !== null && typeof (piece as Partial<TurnRecorder>).turnFields === 'object';

/**
 * Checks a pipeline's order against what its pieces declare: no field written twice, none read before (or without
 * being) written by an earlier piece when a later piece writes it.
 *
 * @throws `TypeError` naming the piece and the field.
 */
export function checkTurnOrder(pieces: ReadonlyArray<{ readonly name: string; readonly piece: unknown }>): void {
  const writtenBy = new Map<TurnField, string>();
  for (const { name, piece } of pieces) {
    if (!declares(piece)) continue;
    for (const field of piece.turnFields.writes) {
      const other = writtenBy.get(field);
      if (other) throw new TypeError(`Warmline pipeline: "${field}" is written by both ${other} and ${name}`);
      writtenBy.set(field, name);
    }
  }
  const seen = new Set<TurnField>();
  for (const { name, piece } of pieces) {
    if (!declares(piece)) continue;
    for (const field of piece.turnFields.reads) {
      const writer = writtenBy.get(field);
      if (writer && !seen.has(field)) throw new TypeError(`Warmline pipeline: ${name} reads "${field}" before ${writer} writes it`);
    }
    for (const field of piece.turnFields.writes) seen.add(field);
  }
}
