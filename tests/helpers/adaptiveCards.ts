import { createRequire } from 'node:module';

interface AcEvent {
  message: string;
}
interface AcContext {
  targetVersion: unknown;
  eventCount: number;
  getEventAt(i: number): AcEvent;
}
interface AcCard {
  parse(json: unknown, ctx: AcContext): void;
  validateProperties(): { validationEvents: AcEvent[] };
}
interface AcModule {
  AdaptiveCard: new () => AcCard;
  SerializationContext: new () => AcContext;
  Versions: { v1_5: unknown };
}

// The package's Node entry point (its ESM build needs a DOM); see shared/reference.md "Cards".
const AC = createRequire(__filename)('adaptivecards/dist/adaptivecards.js') as AcModule;

/**
 * Parses a card as a 1.5 renderer (Teams) would, with the official `adaptivecards` parser, and returns every parse
 * and validation message: an empty list means the card is valid.
 */
export function cardProblems(json: unknown): string[] {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ctx.targetVersion = AC.Versions.v1_5;
  card.parse(json, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of card.validateProperties().validationEvents) problems.push(e.message);
  return problems;
}
