/**
 * The regular expressions of a language pack, compiled once for the rule detector and for the learned model's
 * features (which blank the same hard negatives).
 */
import type { LanguagePack, PatternRule } from './languagePack';
import { foldWord } from './textNormaliser';

/** A pack rule compiled for the detector. */
export interface CompiledRule {
  readonly id: string;
  readonly kind: 'intent' | 'emotion';
  readonly name: string;
  readonly re: RegExp;
  readonly weight: number;
  readonly negatable: boolean;
  readonly unless: RegExp | undefined;
}

const toGlobal = (pattern: RegExp | string): RegExp => {
  if (typeof pattern === 'string') return new RegExp(pattern, 'g');
  return pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`);
};
const toPlain = (pattern: RegExp | string | undefined): RegExp | undefined => {
  if (pattern === undefined) return undefined;
  if (typeof pattern === 'string') return new RegExp(pattern);
  return new RegExp(pattern.source, pattern.flags.replace('g', '').replace('y', ''));
};
export const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Builds the normalised-text form of a user-supplied word or phrase. */
export const normalisePhrase = (phrase: string, splitElisions: boolean): string =>
  phrase
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => foldWord(w))
    .map((w) => (splitElisions ? w.replace(/['’]/g, ' ') : w.replace(/['’]/g, '')))
    .join(' ')
    .trim();

export const compileRules = (pack: LanguagePack): CompiledRule[] =>
  pack.rules.map((r: PatternRule) => {
    if (!(r.weight >= 0 && r.weight <= 1)) {
      throw new RangeError(`SignalDetector: rule ${r.id} weight must be in 0..1`);
    }
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      re: toGlobal(r.pattern),
      weight: r.weight,
      negatable: r.negatable !== false,
      unless: toPlain(r.unless),
    };
  });

/** The pack's hard negatives as one global alternation, or undefined when it has none. */
export const compileNeutraliser = (pack: LanguagePack): RegExp | undefined =>
  pack.neutralisers.length > 0
    ? new RegExp(pack.neutralisers.map((n) => `(?:${typeof n === 'string' ? n : n.source})`).join('|'), 'g')
    : undefined;

/** One regular expression the built-in detector runs for a language pack. */
export interface PackRegex {
  /** The rule's id; `neutralisers` for the pack's hard negatives. */
  readonly id: string;
  /** `pattern`: run over every message; `unless`: tested on a message the rule matched; `neutraliser`: run first. */
  readonly role: 'pattern' | 'unless' | 'neutraliser';
  readonly regex: RegExp;
}

/**
 * The regular expressions the built-in detector compiles from `pack`, exactly as it runs them.
 *
 * @remarks For audits, such as the ReDoS test (tests/security/redos.test.ts): the rule patterns (with the `g` flag),
 * their `unless` guards, and the neutralisers joined into one alternation. Compiled afresh on every call.
 * @example packRegexes(englishPack).filter((r) => r.role === 'pattern').length // the English rules
 */
export function packRegexes(pack: LanguagePack): PackRegex[] {
  const found: PackRegex[] = [];
  for (const rule of compileRules(pack)) {
    found.push({ id: rule.id, role: 'pattern', regex: rule.re });
    if (rule.unless) found.push({ id: rule.id, role: 'unless', regex: rule.unless });
  }
  const neutraliser = compileNeutraliser(pack);
  if (neutraliser) found.push({ id: 'neutralisers', role: 'neutraliser', regex: neutraliser });
  return found;
}
