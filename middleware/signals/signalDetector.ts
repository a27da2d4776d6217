import Sentiment from 'sentiment';
import type { EmotionLexicon, LanguagePack, PatternRule } from './languagePack';
import { englishPack } from './lexicons/englishPack';
import { frenchPack } from './lexicons/frenchPack';
import { fromEmotionWordsOnly, sharedModelAugmenter } from './model/createModelAugmenter';
import type { EmotionScore, Evidence, IntentAugmenter, IntentHit, LanguageCode, Signals, Trajectory } from './signals';
import { buildTypoIndex, foldWord, normaliseText, originalSpan, tokenAt, type NormalisedText, type NormaliserLanguage } from './textNormaliser';
import { compileNeutraliser, compileRules, escapeRe, normalisePhrase, type CompiledRule } from './packRegexes';
import { nextTrajectory } from './trajectory';

export { packRegexes, type PackRegex } from './packRegexes';
export type { IntentAugmenter } from './signals';

/** Per-message input besides the text. */
export interface DetectOptions {
  /** The activity's locale (`fr-FR`, `en-US`...). Used when its language is registered, unless the text is clearly in another one. */
  readonly locale?: string;
  /** The conversation's trajectory before this message. */
  readonly previous?: Trajectory;
}

/** Anything that reads signals from a message: the built-in detector, a composed one, a cloud service adapter. */
export interface SignalDetector {
  detect(text: string, options?: DetectOptions): Signals | Promise<Signals>;
}

/** A custom intent for the built-in detector: patterns and/or a word list, for one language. */
export interface IntentDefinition {
  /** Intent name (a built-in one adds evidence to it; a new one creates it). */
  readonly name: string;
  readonly language: LanguageCode;
  /** Regular expressions over the normalised text (see {@link PatternRule}). */
  readonly patterns?: readonly (RegExp | string)[];
  /** Words or phrases, matched whole and accent-insensitively. */
  readonly words?: readonly string[];
  /** Confidence each hit contributes, 0..1. Default 0.8. */
  readonly weight?: number;
  /** Rule id prefix shown in evidence. Default `<name>.<language>.custom`. */
  readonly id?: string;
  /** Whether a preceding negation cancels a hit. Default true. */
  readonly negatable?: boolean;
}

/** A lexicon for the built-in detector: emotion words, or sentiment valences, for one language. */
export type LexiconDefinition =
  | { readonly language: LanguageCode; readonly emotion: string; readonly words: EmotionLexicon }
  | { readonly language: LanguageCode; readonly sentiment: Readonly<Record<string, number>> };

/** Options of {@link createSignalDetector}. */
export interface SignalDetectorOptions {
  /** Language used when neither the locale nor detection decides. Default `en`. */
  readonly defaultLanguage?: LanguageCode;
  /** Extra language packs (registered after the built-in `en` and `fr`). */
  readonly languages?: readonly LanguagePack[];
  readonly intents?: readonly IntentDefinition[];
  readonly lexicons?: readonly LexiconDefinition[];
  /** Minimum confidence for an intent to be reported. Default 0.5. */
  readonly intentThreshold?: number;
  /** Anger or frustration score from which `complaint` holds. Default 0.35. */
  readonly complaintEmotionThreshold?: number;
  /** Distress score from which the `distress` intent holds. Default 0.4. */
  readonly distressEmotionThreshold?: number;
  /** Characters analysed; longer messages are cut (bounded cost). Default 4000. */
  readonly maxLength?: number;
  /**
   * Adds intents beside the rules' hits. Default: the learned model shipped with Warmline (`createModelAugmenter()`,
   * read once per process, about 3 MB of memory); another augmenter, e.g. `createModelAugmenter(myModel)`; or `false`
   * for the rules alone.
   */
  readonly model?: IntentAugmenter | false;
}


/** The built-in, synchronous, pure detector with its extension methods. */
export interface BuiltInSignalDetector extends SignalDetector {
  detect(text: string, options?: DetectOptions): Signals;
  /**
   * The language of `text`: the locale's when registered, unless the text is clearly in another registered language
   * (then that one, `detected`); without a usable locale, detection, else the default.
   */
  detectLanguage(text: string, locale?: string): { language: LanguageCode; source: 'locale' | 'detected' };
  /** Adds (or extends) an intent. */
  registerIntent(definition: IntentDefinition): this;
  /** Adds emotion words or sentiment valences to a language. */
  registerLexicon(definition: LexiconDefinition): this;
  /** Adds a language, or replaces one with the same code. */
  registerLanguage(pack: LanguagePack): this;
  /** Codes of the registered languages. */
  languages(): readonly LanguageCode[];
}

interface CompiledPack {
  readonly pack: LanguagePack;
  readonly normaliser: NormaliserLanguage;
  readonly rules: CompiledRule[];
  readonly neutraliser: RegExp | undefined;
  readonly emotionIndex: Map<string, Array<readonly [string, number]>>;
  readonly negators: Set<string>;
  readonly breakers: Set<string>;
  readonly intensifiers: Map<string, number>;
  readonly negatedPositives: Map<string, number>;
  readonly stopwords: Set<string>;
  readonly sentimentLanguage: string;
}

interface Accumulator {
  /** Π(1 - w) so far. */
  miss: number;
  evidence: Evidence[];
}

const NEGATION_WINDOW = 4;
const PUNCTUATION = new Set(['.', ',', '!', '?']);
const FRENCH_LETTERS_RE = /[éèêàçùâîôûëïœ]/i;
/** Stop-word score (accented French letters count 1.5) a text needs before its language outranks the activity's locale. */
const MIN_OVERRIDE_SCORE = 3;
/** ...and how many times the locale language's own score it must reach. */
const OVERRIDE_RATIO = 3;
const DETECT_TOKEN_RE = /[\p{L}]+/gu;

const sentiment = new Sentiment();
let sentimentLanguageSeq = 0;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function compilePack(pack: LanguagePack): CompiledPack {
  const rules = compileRules(pack);
  const emotionIndex = new Map<string, Array<readonly [string, number]>>();
  for (const [emotion, lexicon] of Object.entries(pack.emotionLexicons)) {
    for (const [word, weight] of Object.entries(lexicon)) {
      const key = foldWord(word);
      const list = emotionIndex.get(key) ?? [];
      list.push([emotion, weight]);
      emotionIndex.set(key, list);
    }
  }
  const replacements = new Map<string, readonly string[]>();
  for (const [from, to] of Object.entries(pack.replacements)) replacements.set(from, to.split(' ').filter(Boolean));
  const vocabulary = new Set<string>([
    ...Object.keys(pack.sentimentLabels),
    ...emotionIndex.keys(),
    ...Object.keys(pack.intensifiers),
    ...Object.keys(pack.negatedPositives),
    ...pack.stopwords,
    ...replacements.keys(),
  ]);
  const neutraliser = compileNeutraliser(pack);

  const negators = new Set(pack.negators);
  const breakers = new Set(pack.scopeBreakers);
  const intensifiers = new Map(Object.entries(pack.intensifiers));
  // A sentiment language per compiled pack: the package keeps languages in one module-wide table.
  const sentimentLanguage = `warmline-${pack.code}-${++sentimentLanguageSeq}`;
  sentiment.registerLanguage(sentimentLanguage, {
    labels: { ...pack.sentimentLabels },
    scoringStrategy: {
      apply: (tokens: string[], cursor: number, tokenScore: number): number => {
        let score = tokenScore;
        for (let j = cursor - 1; j >= 0 && j >= cursor - 3; j--) {
          const t = tokens[j];
          if (breakers.has(t)) break;
          if (negators.has(t)) {
            score = -score * 0.75;
            break;
          }
        }
        const boost = cursor > 0 ? intensifiers.get(tokens[cursor - 1]) : undefined;
        return boost ? score * boost : score;
      },
    },
  });
  return {
    pack,
    normaliser: {
      splitElisions: pack.splitElisions,
      replacements,
      vocabulary,
      typos: pack.typoTargets && pack.typoTargets.length > 0 ? buildTypoIndex(pack.typoTargets) : undefined,
    },
    rules,
    neutraliser,
    emotionIndex,
    negators,
    breakers,
    intensifiers,
    negatedPositives: new Map(Object.entries(pack.negatedPositives)),
    stopwords: new Set(pack.stopwords),
    sentimentLanguage,
  };
}

const isNegated = (tokens: readonly string[], index: number, cp: CompiledPack, masked: readonly boolean[]): boolean => {
  for (let j = index - 1; j >= 0 && j >= index - NEGATION_WINDOW; j--) {
    const t = tokens[j];
    if (PUNCTUATION.has(t) || masked[j]) return false;
    if (cp.breakers.has(t)) return false;
    if (cp.negators.has(t)) return true;
  }
  return false;
};

const add = (map: Map<string, Accumulator>, name: string, weight: number, evidence: Evidence | undefined): void => {
  const acc = map.get(name) ?? { miss: 1, evidence: [] };
  acc.miss *= 1 - clamp01(weight);
  if (evidence) {
    let same: Evidence | undefined;
    for (const e of acc.evidence) {
      if (e.rule === evidence.rule) {
        same = e;
        break;
      }
    }
    if (same) {
      const words = same.matched as string[];
      for (const w of evidence.matched) if (!words.includes(w) && words.length < 5) words.push(w);
    } else {
      acc.evidence.push(evidence);
    }
  }
  map.set(name, acc);
};

const confidence = (acc: Accumulator | undefined): number => (acc ? round3(1 - acc.miss) : 0);

const freezeEvidence = (evidence: readonly Evidence[]): readonly Evidence[] =>
  Object.freeze(evidence.map((e) => Object.freeze({ rule: e.rule, matched: Object.freeze([...e.matched]) })));

/** The built-in detector. Create it with {@link createSignalDetector}. */
class RuleSignalDetector implements BuiltInSignalDetector {
  private readonly packs = new Map<LanguageCode, CompiledPack>();
  private readonly sources = new Map<LanguageCode, LanguagePack>();
  private readonly defaultLanguage: LanguageCode;
  private readonly intentThreshold: number;
  private readonly complaintThreshold: number;
  private readonly distressThreshold: number;
  private readonly maxLength: number;
  private readonly model: IntentAugmenter | undefined;

  constructor(options: SignalDetectorOptions) {
    this.model = options.model === false ? undefined : (options.model ?? sharedModelAugmenter());
    this.defaultLanguage = options.defaultLanguage ?? 'en';
    this.intentThreshold = options.intentThreshold ?? 0.5;
    this.complaintThreshold = options.complaintEmotionThreshold ?? 0.35;
    this.distressThreshold = options.distressEmotionThreshold ?? 0.4;
    this.maxLength = options.maxLength ?? 4000;
    for (const [name, v] of Object.entries({
      intentThreshold: this.intentThreshold,
      complaintEmotionThreshold: this.complaintThreshold,
      distressEmotionThreshold: this.distressThreshold,
    })) {
      if (!(v > 0 && v <= 1)) throw new RangeError(`createSignalDetector: ${name} must be in (0, 1]`);
    }
    if (!(this.maxLength >= 1)) throw new RangeError('createSignalDetector: maxLength must be >= 1');
    this.registerLanguage(englishPack);
    this.registerLanguage(frenchPack);
    for (const pack of options.languages ?? []) this.registerLanguage(pack);
    for (const lexicon of options.lexicons ?? []) this.registerLexicon(lexicon);
    for (const intent of options.intents ?? []) this.registerIntent(intent);
    if (!this.packs.has(this.defaultLanguage)) {
      throw new RangeError(`createSignalDetector: default language "${this.defaultLanguage}" is not registered`);
    }
  }

  languages(): readonly LanguageCode[] {
    return [...this.packs.keys()];
  }

  registerLanguage(pack: LanguagePack): this {
    if (!pack || typeof pack.code !== 'string' || pack.code.length === 0) {
      throw new TypeError('registerLanguage: pack.code is required');
    }
    const code = pack.code.toLowerCase();
    const normalised = { ...pack, code };
    this.packs.set(code, compilePack(normalised));
    this.sources.set(code, normalised);
    return this;
  }

  registerIntent(definition: IntentDefinition): this {
    const source = this.requirePack(definition.language, 'registerIntent');
    if (!definition.name) throw new TypeError('registerIntent: name is required');
    const weight = definition.weight ?? 0.8;
    const id = definition.id ?? `${definition.name}.${source.code}.custom`;
    const patterns: (RegExp | string)[] = [...(definition.patterns ?? [])];
    const words = (definition.words ?? []).map((w) => normalisePhrase(w, source.splitElisions)).filter(Boolean);
    if (words.length > 0) patterns.push(`\\b(?:${words.map(escapeRe).join('|')})\\b`);
    if (patterns.length === 0) throw new TypeError('registerIntent: give patterns or words');
    const rules: PatternRule[] = patterns.map((pattern, i) => ({
      id: patterns.length > 1 ? `${id}.${i + 1}` : id,
      kind: 'intent',
      name: definition.name,
      pattern,
      weight,
      negatable: definition.negatable,
    }));
    return this.registerLanguage({ ...source, rules: [...source.rules, ...rules] });
  }

  registerLexicon(definition: LexiconDefinition): this {
    const source = this.requirePack(definition.language, 'registerLexicon');
    if ('emotion' in definition) {
      const current = source.emotionLexicons[definition.emotion] ?? {};
      for (const [w, v] of Object.entries(definition.words)) {
        if (!(v >= 0 && v <= 1)) throw new RangeError(`registerLexicon: weight of "${w}" must be in 0..1`);
      }
      return this.registerLanguage({
        ...source,
        emotionLexicons: { ...source.emotionLexicons, [definition.emotion]: { ...current, ...definition.words } },
      });
    }
    for (const [w, v] of Object.entries(definition.sentiment)) {
      if (!(v >= -5 && v <= 5)) throw new RangeError(`registerLexicon: valence of "${w}" must be in -5..5`);
    }
    const folded: Record<string, number> = {};
    for (const [w, v] of Object.entries(definition.sentiment)) folded[normalisePhrase(w, source.splitElisions)] = v;
    return this.registerLanguage({ ...source, sentimentLabels: { ...source.sentimentLabels, ...folded } });
  }

  detectLanguage(text: string, locale?: string): { language: LanguageCode; source: 'locale' | 'detected' } {
    const primary = locale ? locale.split(/[-_]/)[0].toLowerCase() : undefined;
    const localeLanguage = primary !== undefined && this.packs.has(primary) ? primary : undefined;
    let best: LanguageCode = this.defaultLanguage;
    let bestScore = 0;
    const words = text.toLowerCase().match(DETECT_TOKEN_RE) ?? [];
    const counts = new Map<LanguageCode, number>();
    for (const w of words) {
      const f = foldWord(w);
      for (const [code, cp] of this.packs) {
        if (cp.stopwords.has(f)) counts.set(code, (counts.get(code) ?? 0) + 1);
      }
    }
    if (FRENCH_LETTERS_RE.test(text) && this.packs.has('fr')) counts.set('fr', (counts.get('fr') ?? 0) + 1.5);
    for (const [code, n] of counts) {
      if (n > bestScore || (n === bestScore && code === (localeLanguage ?? this.defaultLanguage))) {
        best = code;
        bestScore = n;
      }
    }
    if (localeLanguage === undefined) return { language: best, source: 'detected' };
    // The locale is the client's setting, not what the customer writes: a French message from a Teams client set to
    // en-US is read with the French pack, but only when the text says so clearly.
    const localeScore = counts.get(localeLanguage) ?? 0;
    const confident = best !== localeLanguage && bestScore >= MIN_OVERRIDE_SCORE && bestScore >= OVERRIDE_RATIO * localeScore;
    return confident ? { language: best, source: 'detected' } : { language: localeLanguage, source: 'locale' };
  }

  detect(text: string, options: DetectOptions = {}): Signals {
    const input = typeof text === 'string' ? text.slice(0, this.maxLength) : '';
    const { language, source } = this.detectLanguage(input, options.locale);
    const cp = this.packs.get(language) ?? (this.packs.get(this.defaultLanguage) as CompiledPack);
    const norm = normaliseText(input, cp.normaliser);
    const { joined, masked } = this.neutralise(norm, cp);

    const intents = new Map<string, Accumulator>();
    const emotions = new Map<string, Accumulator>();
    this.applyRules(norm, cp, joined, masked, intents, emotions);
    this.applyLexicons(norm, cp, masked, emotions);
    this.applySurface(norm, language, emotions);

    const sentimentScore = this.sentiment(norm, cp, masked);
    const emotionScores = new Map<string, number>();
    for (const [name, acc] of emotions) emotionScores.set(name, confidence(acc));

    // Emotions that amount to intents: strong anger or frustration is a complaint, strong distress is distress.
    // An emotion at its threshold gives an intent at the intent threshold, a full-strength emotion gives 0.95.
    const angerish = Math.max(emotionScores.get('anger') ?? 0, emotionScores.get('frustration') ?? 0);
    if (angerish >= this.complaintThreshold) {
      add(intents, 'complaint', this.lift(angerish, this.complaintThreshold), { rule: `complaint.${language}.emotion`, matched: this.topWords(emotions, ['anger', 'frustration']) });
    }
    const distress = emotionScores.get('distress') ?? 0;
    if (distress >= this.distressThreshold) {
      add(intents, 'distress', this.lift(distress, this.distressThreshold), { rule: `distress.${language}.emotion`, matched: this.topWords(emotions, ['distress']) });
    }
    // A death in the family is grief whatever words carry it.
    const bereavement = confidence(intents.get('bereavement'));
    if (bereavement >= this.intentThreshold) {
      const grief = emotions.get('grief');
      if (!grief || confidence(grief) < bereavement * 0.9) {
        add(emotions, 'grief', bereavement * 0.9, { rule: `grief.${language}.bereavement`, matched: intents.get('bereavement')?.evidence[0]?.matched ?? [] });
        emotionScores.set('grief', confidence(emotions.get('grief')));
      }
    }

    const intentHits: IntentHit[] = [];
    for (const [name, acc] of intents) {
      const c = confidence(acc);
      if (c >= this.intentThreshold) intentHits.push(Object.freeze({ name, confidence: c, evidence: freezeEvidence(acc.evidence) }));
    }
    intentHits.sort((a, b) => b.confidence - a.confidence);
    if (this.model) {
      const returned = this.model.augment(input, language, intentHits);
      const added = returned.filter((h) => !intentHits.some((r) => r.name === h.name));
      // The augmenter may drop a hit read from emotion words alone; a hit a rule pattern found stays whatever it says.
      const dropped = new Set(intentHits.filter((r) => fromEmotionWordsOnly(r) && !returned.some((h) => h.name === r.name)).map((r) => r.name));
      for (let i = intentHits.length - 1; i >= 0; i--) if (dropped.has(intentHits[i].name)) intentHits.splice(i, 1);
      for (const h of added) intentHits.push(Object.freeze({ name: h.name, confidence: h.confidence, evidence: freezeEvidence(h.evidence) }));
      intentHits.sort((a, b) => b.confidence - a.confidence);
    }
    const emotionList: EmotionScore[] = [];
    for (const [name, acc] of emotions) {
      const score = emotionScores.get(name) ?? 0;
      if (score > 0) emotionList.push(Object.freeze({ name, score, evidence: freezeEvidence(acc.evidence) }));
    }
    emotionList.sort((a, b) => b.score - a.score);

    const trajectory = nextTrajectory(options.previous, sentimentScore, emotionList, intentHits);
    return Object.freeze({
      language,
      languageSource: source,
      sentiment: sentimentScore,
      emotions: Object.freeze(emotionList),
      intents: Object.freeze(intentHits),
      trajectory,
    });
  }

  /** An emotion at its threshold gives an intent at the intent threshold, a full-strength emotion gives 0.95. */
  private lift(score: number, threshold: number): number {
    return this.intentThreshold + ((0.95 - this.intentThreshold) * (score - threshold)) / Math.max(1e-6, 1 - threshold);
  }

  private requirePack(language: LanguageCode, caller: string): LanguagePack {
    const source = this.sources.get(String(language).toLowerCase());
    if (!source) throw new RangeError(`${caller}: language "${language}" is not registered`);
    return source;
  }

  /** Blanks hard-negative phrases so no rule or lexicon sees them; keeps offsets. */
  private neutralise(norm: NormalisedText, cp: CompiledPack): { joined: string; masked: boolean[] } {
    const masked = new Array<boolean>(norm.tokens.length).fill(false);
    if (!cp.neutraliser) return { joined: norm.joined, masked };
    const joined = norm.joined.replace(cp.neutraliser, (m, ...rest) => {
      const at = rest[rest.length - 2] as number;
      const first = tokenAt(norm, at + (m.length - m.trimStart().length));
      const last = tokenAt(norm, at + m.trimEnd().length - 1);
      for (let i = first; i <= last; i++) masked[i] = true;
      return ' '.repeat(m.length);
    });
    return { joined, masked };
  }

  private applyRules(
    norm: NormalisedText,
    cp: CompiledPack,
    joined: string,
    masked: boolean[],
    intents: Map<string, Accumulator>,
    emotions: Map<string, Accumulator>,
  ): void {
    for (const rule of cp.rules) {
      const re = rule.re;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      let hit = false;
      const matched: string[] = [];
      while ((m = re.exec(joined)) !== null) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const lead = m[0].length - m[0].trimStart().length;
        const body = m[0].trim();
        if (body.length === 0) continue;
        const first = tokenAt(norm, m.index + lead);
        const last = tokenAt(norm, m.index + lead + body.length - 1);
        if (rule.negatable && isNegated(norm.tokens, first, cp, masked)) continue;
        hit = true;
        const words = originalSpan(norm, first, last);
        if (words && !matched.includes(words) && matched.length < 5) matched.push(words);
      }
      // `unless` is checked only for rules that matched: most rules do not, and some guards are costly.
      if (hit && rule.unless && rule.unless.test(joined)) continue;
      if (hit) add(rule.kind === 'intent' ? intents : emotions, rule.name, rule.weight, { rule: rule.id, matched });
    }
  }

  private applyLexicons(norm: NormalisedText, cp: CompiledPack, masked: boolean[], emotions: Map<string, Accumulator>): void {
    const { tokens } = norm;
    const code = cp.pack.code;
    for (let i = 0; i < tokens.length; i++) {
      if (masked[i]) continue;
      const t = tokens[i];
      const entries = cp.emotionIndex.get(t);
      const negPositive = cp.negatedPositives.get(t);
      if (!entries && negPositive === undefined) continue;
      // Emoji and emoticons are not negated ("still nothing 😢").
      const negated = /[a-z]/.test(t) && isNegated(tokens, i, cp, masked);
      let boost = 1;
      for (let j = i - 1; j >= 0 && j >= i - 2; j--) {
        const b = cp.intensifiers.get(tokens[j]);
        if (b === undefined) break;
        boost *= b;
      }
      const word = originalSpan(norm, i, i);
      if (negated) {
        if (negPositive !== undefined) {
          add(emotions, 'frustration', negPositive * Math.max(1, boost), { rule: `frustration.${code}.negated-positive`, matched: [originalSpan(norm, Math.max(0, i - 3), i)] });
        }
        continue;
      }
      if (!entries) continue;
      for (const [emotion, weight] of entries) {
        add(emotions, emotion, clamp01(weight * boost), { rule: `${emotion}.${code}.lexicon`, matched: [word] });
      }
    }
  }

  /** Shouting and repeated punctuation strengthen what is already there. */
  private applySurface(norm: NormalisedText, language: LanguageCode, emotions: Map<string, Accumulator>): void {
    const f = norm.features;
    const shouting = f.capsRatio >= 0.6;
    const loud = f.repeatedPunctuation || f.exclamations >= 2 || f.elongations > 0;
    if (!shouting && !loud) return;
    const evidence = (name: string): Evidence => ({
      rule: `${name}.${language}.${shouting ? 'caps' : 'punctuation'}`,
      matched: [shouting ? 'CAPS' : f.repeatedPunctuation ? '!!/?!' : '!'],
    });
    let negative = false;
    for (const name of ['anger', 'frustration', 'distress']) {
      const acc = emotions.get(name);
      if (!acc || acc.miss >= 1) continue;
      negative = true;
      // Strengthen: shrink the remaining "miss" (a 0.6 score becomes ~0.7).
      acc.miss *= shouting && loud ? 0.6 : 0.75;
      acc.evidence.push(evidence(name));
    }
    if (!negative && shouting && norm.tokens.length >= 3) add(emotions, 'frustration', 0.35, evidence('frustration'));
  }

  private topWords(emotions: Map<string, Accumulator>, names: string[]): string[] {
    const words: string[] = [];
    for (const name of names) {
      for (const e of emotions.get(name)?.evidence ?? []) {
        for (const w of e.matched) if (!words.includes(w) && words.length < 5) words.push(w);
      }
    }
    return words;
  }

  private sentiment(norm: NormalisedText, cp: CompiledPack, masked: readonly boolean[]): number {
    // Hard negatives ("my battery died") carry no sentiment.
    const { tokens } = norm;
    const words: string[] = [];
    for (let i = 0; i < tokens.length; i++) if (!masked[i] && !PUNCTUATION.has(tokens[i])) words.push(tokens[i]);
    if (words.length === 0) return 0;
    const { score } = sentiment.analyze(words.join(' '), { language: cp.sentimentLanguage });
    let s = score / Math.sqrt(score * score + 15);
    const f = norm.features;
    if (f.capsRatio >= 0.6 || f.repeatedPunctuation) s *= 1.15;
    return round3(Math.max(-1, Math.min(1, s)));
  }
}

/**
 * Creates the built-in signal detector (English and French, rules and lexicons compiled once).
 *
 * @remarks Pure and synchronous: no I/O, no Bot Framework types. Defaults: `defaultLanguage` `en`,
 * `intentThreshold` 0.5, `complaintEmotionThreshold` 0.35, `distressEmotionThreshold` 0.4, `maxLength` 4000.
 * @example
 * const detector = createSignalDetector();
 * const s = detector.detect("jveux parler a un humain", { locale: 'fr-FR' });
 * hasIntent(s, 'human_request'); // true
 */
export function createSignalDetector(options: SignalDetectorOptions = {}): BuiltInSignalDetector {
  return new RuleSignalDetector(options);
}
