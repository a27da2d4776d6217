import type { HandoffCase } from '../handoffCase';
import { defaultRedactor, type Redactor } from '../redaction';

/** An emotion with the evidence that shows it, as sent to hubs (the handoff protocol and webhooks alike). */
export interface HubEmotion {
  readonly name: string;
  readonly score: number;
  /** Rule ids and the (redacted) words that matched. */
  readonly evidence: readonly { readonly rule: string; readonly matched: readonly string[] }[];
}

/** Evidence with every matched word redacted. */
export const redactEvidence = (evidence: readonly { rule: string; matched: readonly string[] }[], r: Redactor): HubEmotion['evidence'] =>
  evidence.map((e) => ({ rule: e.rule, matched: e.matched.map((m) => r.redact(m)) }));

/** Redacts every value of a string map. */
export const redactRecord = (record: Readonly<Record<string, string>>, r: Redactor): Record<string, string> =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [k, r.redact(v)]));

/** The emotions of a case with their evidence (trigger first, then the triggering signals), redacted. */
export function caseEmotions(c: HandoffCase, redactor: Redactor = defaultRedactor): HubEmotion[] {
  const seen = new Set<string>();
  const out: HubEmotion[] = [];
  for (const e of [...c.trigger.emotions, ...(c.trigger.signals?.emotions ?? [])]) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    out.push({ name: e.name, score: e.score, evidence: redactEvidence(e.evidence, redactor) });
  }
  return out;
}
