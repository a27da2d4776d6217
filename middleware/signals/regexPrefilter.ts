/**
 * Literal prefilter for the detector's rule regexes.
 *
 * Most rules cannot match most messages: "where is my parcel" holds none of the words the fraud, bereavement or
 * complaint rules need. Running their (large) regexes anyway costs CPU on every turn. At compile time each regex is
 * analysed into a {@link LiteralRequirement}: literal strings such that EVERY possible match of the regex contains
 * at least one of them. At detect time a message that contains none of a rule's literals cannot match that rule, so
 * the regex is skipped. Results are therefore identical to running every regex; only the work changes.
 *
 * Safety rests on the analysis being conservative: whatever it does not fully understand gives "no requirement"
 * (the rule always runs), never a guess.
 */

/** What every match of a regex contains: at least one of `literals` as a substring. */
export interface LiteralRequirement {
  /**
   * Literals, at least {@link MIN_LITERAL_LENGTH} characters each, no one containing another. For a case-insensitive
   * regex they are lower-case ASCII and compare to the text with ASCII letters folded (see {@link RulePrefilter}).
   */
  readonly literals: readonly string[];
  /** The regex has the `i` flag. */
  readonly caseInsensitive: boolean;
}

/** Literals shorter than this are too common to be worth checking: such a requirement counts as none. */
export const MIN_LITERAL_LENGTH = 3;
/** Most strings an exact set may hold after a concatenation or a repetition (cross products grow fast). */
const MAX_CROSS = 64;
/** Most strings an exact set may hold after an alternation. */
const MAX_UNION = 256;
/** Most repetitions expanded into an exact set (`x{0,3}`). */
const MAX_REPEAT = 4;
/** Most literals a requirement may hold (a huge word list then simply runs: bounded compile time). */
const MAX_LITERALS = 1000;
/** Largest character class expanded into its characters (`[sz]`). */
const MAX_CLASS = 4;
/** Above this minimum literal length, requirements are compared by literal count only. */
const LENGTH_CAP = 8;

/**
 * What the analysis knows about one regex node.
 *
 * `exact`: every string the node can match (the set is small and finite), `''` included when it can match nothing.
 * Zero-width assertions (`\b`, `^`, lookarounds) consume nothing: their exact set is `['']`.
 * `req`: literals one of which every match of the node contains (valid: none shorter than MIN_LITERAL_LENGTH).
 * `{}` means "matches something we do not describe": always safe.
 */
interface Info {
  readonly exact?: readonly string[];
  readonly req?: readonly string[];
}

const OPAQUE: Info = {};
const EMPTY: Info = { exact: [''] };

/** Thrown for any syntax the parser does not handle; the whole regex then has no requirement. */
class Unsupported extends Error {}

const unique = (xs: Iterable<string>): string[] => [...new Set(xs)];

/** Drops literals that contain another one: a text holding the longer one holds the shorter one too. */
function minimise(literals: readonly string[]): string[] {
  const sorted = unique(literals).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  const kept: string[] = [];
  for (const lit of sorted) if (!kept.some((k) => lit.includes(k))) kept.push(lit);
  return kept;
}

/** Length of the shortest string of the set (0 for an empty set: it cannot serve as a requirement). */
function minLength(set: readonly string[]): number {
  if (set.length === 0) return 0;
  let min = Infinity;
  for (const s of set) if (s.length < min) min = s.length;
  return min;
}

/**
 * The most selective valid requirement: longest shortest literal (capped), then fewest literals. A set holding a
 * string shorter than MIN_LITERAL_LENGTH (the empty string: "matches anything") is not a requirement.
 */
function best(candidates: readonly (readonly string[] | undefined)[]): readonly string[] | undefined {
  let chosen: readonly string[] | undefined;
  let chosenLength = 0;
  for (const c of candidates) {
    if (!c) continue;
    const length = minLength(c);
    if (length < MIN_LITERAL_LENGTH) continue;
    const capped = Math.min(LENGTH_CAP, length);
    if (!chosen || capped > chosenLength || (capped === chosenLength && c.length < chosen.length)) {
      chosen = c;
      chosenLength = capped;
    }
  }
  return chosen;
}

const bestOf = (info: Info): readonly string[] | undefined => best([info.req, info.exact]);

/** `a` followed by `b`, or undefined when the product is too large. */
function cross(a: readonly string[], b: readonly string[]): string[] | undefined {
  if (a.length * b.length > MAX_CROSS) return undefined;
  const out: string[] = [];
  for (const x of a) for (const y of b) out.push(x + y);
  // With one side a single string there are no duplicates (the usual case: a literal character after a run).
  return a.length === 1 || b.length === 1 ? out : unique(out);
}

/**
 * A sequence: every match is the concatenation of one match per term, so a contiguous run of exact terms gives
 * exact strings that appear verbatim in every match, and every term's own requirement holds for the whole.
 */
function concat(terms: readonly Info[]): Info {
  if (terms.length === 1) return terms[0];
  const candidates: (readonly string[] | undefined)[] = [];
  let run: readonly string[] = [''];
  let whole = true;
  for (const t of terms) {
    candidates.push(t.req);
    if (t.exact) {
      const next = cross(run, t.exact);
      if (next) {
        run = next;
      } else {
        // Too many combinations: close the run (still a valid requirement) and start a new one at this term.
        candidates.push(run);
        run = t.exact;
        whole = false;
      }
    } else {
      // An opaque term breaks contiguity.
      candidates.push(run);
      run = [''];
      whole = false;
    }
  }
  candidates.push(run);
  return whole ? { exact: run, req: best(candidates) } : { req: best(candidates) };
}

/** Alternatives: a match is a match of one branch, so it holds one literal of that branch's requirement. */
function union(branches: readonly Info[]): Info {
  let exact: string[] | undefined = [];
  let req: string[] | undefined = [];
  for (const b of branches) {
    if (exact && b.exact) exact.push(...b.exact);
    else exact = undefined;
    const r = req && bestOf(b);
    if (req && r) req.push(...r);
    else req = undefined;
  }
  exact = exact ? unique(exact) : undefined;
  if (exact && exact.length > MAX_UNION) exact = undefined;
  req = req ? unique(req) : undefined;
  return { exact, req: req && req.length <= MAX_LITERALS ? req : undefined };
}

/** `atom{min,max}`: with min 0 the atom may be absent, so it requires nothing. */
function repeat(atom: Info, min: number, max: number): Info {
  let exact: string[] | undefined;
  if (atom.exact && max <= MAX_REPEAT) {
    let power: string[] | undefined = [''];
    const all: string[] = [];
    for (let k = 0; k <= max && power; k++) {
      if (k >= min) all.push(...power);
      if (k < max) power = cross(power, atom.exact);
    }
    exact = power ? unique(all) : undefined;
    if (exact && exact.length > MAX_CROSS) exact = undefined;
  }
  return { exact, req: min >= 1 ? bestOf(atom) : undefined };
}

const isAsciiLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
/** ASCII letter, digit or space: a character that stands for itself in a regex. */
const isPlain = (code: number): boolean =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 32;
const isHex = (s: string): boolean => /^[0-9A-Fa-f]+$/.test(s);

/** A recursive-descent parser for the regex subset the packs use; anything else throws {@link Unsupported}. */
class Parser {
  private i = 0;

  constructor(
    private readonly src: string,
    private readonly caseInsensitive: boolean,
    private readonly unicode: boolean,
  ) {}

  parse(): Info {
    const info = this.disjunction();
    if (this.i !== this.src.length) throw new Unsupported('trailing input');
    return info;
  }

  private peek(offset = 0): string {
    return this.src.charAt(this.i + offset);
  }

  private expect(c: string): void {
    if (this.src.charAt(this.i) !== c) throw new Unsupported(`expected ${c}`);
    this.i++;
  }

  private disjunction(): Info {
    const branches = [this.alternative()];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.alternative());
    }
    return branches.length === 1 ? branches[0] : union(branches);
  }

  private alternative(): Info {
    const terms: Info[] = [];
    while (this.i < this.src.length && this.peek() !== '|' && this.peek() !== ')') {
      terms.push(...this.quantified(this.atom()));
    }
    return terms.length === 0 ? EMPTY : concat(terms);
  }

  /** The atom with its quantifier, if any, as one or two sequence terms. */
  private quantified(atom: Info): Info[] {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      min = c === '+' ? 1 : 0;
      max = c === '?' ? 1 : Infinity;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported('brace'); // a literal `{` (legacy syntax): not worth the risk
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else {
      return [atom];
    }
    if (this.peek() === '?') this.i++; // lazy: matches the same strings
    const whole = repeat(atom, min, max);
    if (whole.exact || min === 0 || !atom.exact) return [whole];
    // Too many strings for an exact set (`c+`, `x{1,9}`): `x{m,n}` is `x{m}` then `x{0,n-m}`, so the fixed part can
    // still extend the literal run before it (`abc+` requires "abc").
    return [repeat(atom, min, min), repeat(atom, 0, max - min)];
  }

  /** A literal character as the text must hold it, or opaque when the comparison would not be exact. */
  private literal(c: string): Info {
    if (!this.caseInsensitive) return { exact: [c] };
    // Case-insensitive: only ASCII compares simply (a non-ASCII character never matches an ASCII one without the `u`
    // flag). With `u`, `s` also matches `ſ` (U+017F) and `k` the Kelvin sign (U+212A), so those stay opaque.
    if (c.length !== 1 || c.charCodeAt(0) > 127) return OPAQUE;
    const lower = c.toLowerCase();
    if (this.unicode && (lower === 's' || lower === 'k')) return OPAQUE;
    return { exact: [isAsciiLetter(c) ? lower : c] };
  }

  private atom(): Info {
    const c = this.peek();
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '.':
        this.i++;
        return OPAQUE;
      case '^':
      case '$':
        this.i++;
        return EMPTY;
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
      case ']':
      case ')':
      case '|':
        throw new Unsupported(`unexpected ${c}`);
      default: {
        const word = this.plainRun();
        if (word !== undefined) return { exact: [word] };
        const cp = this.unicode ? String.fromCodePoint(this.src.codePointAt(this.i) as number) : c;
        this.i += cp.length;
        return this.literal(cp);
      }
    }
  }

  /**
   * Fast path (fewer allocations when compiling big word lists): two or more ASCII letters, digits or spaces in a
   * row, as one exact string. The last one stays apart when a quantifier follows it (`abc+`).
   */
  private plainRun(): string | undefined {
    const { src } = this;
    let end = this.i;
    while (end < src.length && isPlain(src.charCodeAt(end))) end++;
    if (end < src.length && '*+?{'.includes(src.charAt(end))) end--;
    if (end - this.i < 2) return undefined;
    let word = src.slice(this.i, end);
    if (this.caseInsensitive) {
      word = word.toLowerCase();
      if (this.unicode && (word.includes('s') || word.includes('k'))) return undefined; // see literal()
    }
    this.i = end;
    return word;
  }

  private group(): Info {
    this.expect('(');
    let info: Info;
    if (this.src.startsWith('?:', this.i)) {
      this.i += 2;
      info = this.disjunction();
    } else if (this.src.startsWith('?=', this.i) || this.src.startsWith('?!', this.i)) {
      // Lookahead: zero-width, and what it looks at is not part of the match.
      this.i += 2;
      this.disjunction();
      info = EMPTY;
    } else if (this.src.startsWith('?<=', this.i) || this.src.startsWith('?<!', this.i)) {
      this.i += 3;
      this.disjunction();
      info = EMPTY;
    } else if (this.src.startsWith('?<', this.i)) {
      const m = /^\?<[A-Za-z_$][\w$]*>/.exec(this.src.slice(this.i));
      if (!m) throw new Unsupported('group name');
      this.i += m[0].length;
      info = this.disjunction();
    } else if (this.peek() === '?') {
      throw new Unsupported('group modifier'); // e.g. `(?i:...)`
    } else {
      info = this.disjunction();
    }
    this.expect(')');
    return info;
  }

  private escape(): Info {
    this.expect('\\');
    const c = this.peek();
    this.i++;
    switch (c) {
      case 'b':
      case 'B':
        return EMPTY;
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return OPAQUE;
      case 'n':
        return this.literal('\n');
      case 't':
        return this.literal('\t');
      case 'r':
        return this.literal('\r');
      case 'f':
        return this.literal('\f');
      case 'v':
        return this.literal('\v');
      case 'k': {
        // Named back-reference: matches what the group captured, possibly nothing.
        const m = /^<[^>]+>/.exec(this.src.slice(this.i));
        if (!m) throw new Unsupported('\\k');
        this.i += m[0].length;
        return OPAQUE;
      }
      case 'p':
      case 'P': {
        if (!this.unicode) throw new Unsupported('\\p without u');
        const m = /^\{[^}]+\}/.exec(this.src.slice(this.i));
        if (!m) throw new Unsupported('\\p');
        this.i += m[0].length;
        return OPAQUE;
      }
      default:
        break;
    }
    if (c >= '0' && c <= '9') {
      if (c === '0' && !/[0-9]/.test(this.peek())) return this.literal('\0');
      // Back-reference (or a legacy octal escape): opaque either way.
      while (/[0-9]/.test(this.peek())) this.i++;
      return OPAQUE;
    }
    const code = this.codeEscape(c);
    if (code !== undefined) return this.literal(code);
    if (c === '' || /[A-Za-z0-9_]/.test(c)) throw new Unsupported(`\\${c}`);
    // Identity escape of punctuation (`\.`, `\?`, `\-`, `\/`...).
    return this.literal(c);
  }

  /** `\xHH`, `\uHHHH`, `\u{H...}` (after the letter): the character, or undefined for another escape letter. */
  private codeEscape(c: string): string | undefined {
    if (c === 'x') {
      const hex = this.src.slice(this.i, this.i + 2);
      if (hex.length !== 2 || !isHex(hex)) throw new Unsupported('\\x');
      this.i += 2;
      return String.fromCharCode(parseInt(hex, 16));
    }
    if (c === 'u') {
      if (this.unicode && this.peek() === '{') {
        const m = /^\{([0-9A-Fa-f]+)\}/.exec(this.src.slice(this.i));
        if (!m) throw new Unsupported('\\u{}');
        this.i += m[0].length;
        return String.fromCodePoint(parseInt(m[1], 16));
      }
      const hex = this.src.slice(this.i, this.i + 4);
      if (hex.length !== 4 || !isHex(hex)) throw new Unsupported('\\u');
      this.i += 4;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return undefined;
  }

  /** `[...]`: a few plain characters become an exact set; anything else (ranges, `\w`, `[^...]`) is opaque. */
  private characterClass(): Info {
    this.expect('[');
    const negated = this.peek() === '^';
    if (negated) this.i++;
    const chars: string[] = [];
    let simple = !negated;
    let first = true;
    while (this.peek() !== ']') {
      if (this.i >= this.src.length) throw new Unsupported('unterminated class');
      const c = this.peek();
      if (c === '-' && !first && this.peek(1) !== ']') simple = false; // a range
      if (c === '\\') {
        this.i++;
        const e = this.peek();
        this.i++;
        if (/[dDwWsS]/.test(e)) {
          simple = false;
        } else if (e === 'p' || e === 'P') {
          if (!this.unicode) throw new Unsupported('\\p without u');
          const m = /^\{[^}]+\}/.exec(this.src.slice(this.i));
          if (!m) throw new Unsupported('\\p');
          this.i += m[0].length;
          simple = false;
        } else if (e === 'b') {
          chars.push('\b');
        } else if (e === 'n' || e === 't' || e === 'r' || e === 'f' || e === 'v') {
          chars.push({ n: '\n', t: '\t', r: '\r', f: '\f', v: '\v' }[e]);
        } else if (e === '0' && !/[0-9]/.test(this.peek())) {
          chars.push('\0');
        } else {
          const code = this.codeEscape(e);
          if (code !== undefined) chars.push(code);
          else if (e === '' || /[A-Za-z0-9_]/.test(e)) throw new Unsupported(`class \\${e}`);
          else chars.push(e);
        }
      } else {
        const cp = this.unicode ? String.fromCodePoint(this.src.codePointAt(this.i) as number) : c;
        this.i += cp.length;
        chars.push(cp);
      }
      first = false;
    }
    this.expect(']');
    if (!simple || chars.length === 0 || chars.length > MAX_CLASS) return OPAQUE;
    const exact: string[] = [];
    for (const ch of chars) {
      const lit = this.literal(ch);
      if (!lit.exact) return OPAQUE;
      exact.push(...lit.exact);
    }
    return { exact: unique(exact) };
  }
}

/**
 * The literals every match of `re` contains, or undefined when the analysis cannot tell (the rule must always run).
 *
 * @example analyseRegex(/\bdead (?:battery|phone)\b/) // { literals: ['dead phone', 'dead battery'], caseInsensitive: false }
 */
export function analyseRegex(re: RegExp): LiteralRequirement | undefined {
  // Packs are recompiled on every registerIntent / registerLexicon, and every detector compiles the built-in ones:
  // the analysis depends only on the source and flags, so it is done once per regex.
  const key = `${re.flags}/${re.source}`;
  const cached = analysisCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const result = analyse(re);
  if (analysisCache.size >= ANALYSIS_CACHE_LIMIT) analysisCache.clear();
  analysisCache.set(key, result ?? null);
  return result;
}

/** Analysed regexes by `flags/source` (null: no requirement); cleared when full. */
const analysisCache = new Map<string, LiteralRequirement | null>();
const ANALYSIS_CACHE_LIMIT = 5000;

function analyse(re: RegExp): LiteralRequirement | undefined {
  const flags = re.flags;
  // `v` changes class syntax (nested classes, set operations): not handled.
  if (flags.includes('v')) return undefined;
  const caseInsensitive = flags.includes('i');
  try {
    const info = new Parser(re.source, caseInsensitive, flags.includes('u')).parse();
    const literals = bestOf(info);
    return literals ? Object.freeze({ literals: Object.freeze(minimise(literals)), caseInsensitive }) : undefined;
  } catch {
    // Unsupported syntax (or a parser bug): no requirement, the regex always runs.
    return undefined;
  }
}

/**
 * Literals are cut to this many characters for the scan: a prefix of a required literal is required too, and
 * shorter literals share more of the automaton (smaller table, same single pass).
 */
export const SCAN_LITERAL_LENGTH = 8;

/** Largest automaton table (states x character classes); a bigger one (say, a huge non-Latin pack) is not built. */
const MAX_TABLE = 1 << 21;

/** ASCII upper case to lower case. */
const foldAscii = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * Tells, for one message, which rules may match: the others cannot, their required literals being absent.
 *
 * @remarks One pass over the text through an Aho-Corasick automaton of all the pack's literals (a table: state x
 * character class -> state), marking the rules of every literal that ends at a position. ASCII letters are folded
 * for every literal: for a case-insensitive rule that is the regex's own comparison, and for a case-sensitive one it
 * can only find a literal more often (the rule then runs), never miss it.
 */
export class RulePrefilter {
  /** 1 for rules without a requirement (always run), 0 for the others. */
  private readonly base: Uint8Array;
  /** Character class of each ASCII code (upper- and lower-case letters share one); 0: in no literal. */
  private readonly asciiClass: Int32Array;
  /** Character class of the other code units that appear in literals. */
  private readonly otherClass: ReadonlyMap<number, number>;
  private readonly classCount: number;
  /** `delta[state * classCount + class]`: the next state. State 0 is the start. */
  private readonly delta: Uint16Array | Uint32Array;
  /** Rules whose literal ends in each state: `outRules[outStart[s] .. outStart[s + 1])`. */
  private readonly outStart: Int32Array;
  private readonly outRules: Int32Array;
  /** Number of rules with a requirement. */
  readonly prefiltered: number;
  /** Number of distinct (cut, folded) literals in the automaton. */
  readonly literalCount: number;

  constructor(regexes: readonly RegExp[]) {
    this.base = new Uint8Array(regexes.length);
    const rulesOf = new Map<string, Set<number>>();
    let prefiltered = 0;
    regexes.forEach((re, r) => {
      // A RegExp subclass (or an own `exec`) may match differently from its source: always run it.
      const plain = Object.getPrototypeOf(re) === RegExp.prototype && !Object.prototype.hasOwnProperty.call(re, 'exec');
      const req = plain ? analyseRegex(re) : undefined;
      if (!req) {
        this.base[r] = 1;
        return;
      }
      prefiltered++;
      for (const lit of req.literals) {
        const key = foldAscii(lit.slice(0, SCAN_LITERAL_LENGTH));
        const set = rulesOf.get(key) ?? new Set<number>();
        set.add(r);
        rulesOf.set(key, set);
      }
    });
    // Character classes: one per distinct code unit in the literals, plus 0 for everything else.
    this.asciiClass = new Int32Array(128);
    const otherClass = new Map<number, number>();
    let classCount = 1;
    const classOf = (code: number): number => (code < 128 ? this.asciiClass[code] : (otherClass.get(code) ?? 0));
    for (const lit of rulesOf.keys()) {
      for (let i = 0; i < lit.length; i++) {
        const code = lit.charCodeAt(i);
        if (classOf(code) !== 0) continue;
        if (code < 128) {
          this.asciiClass[code] = classCount;
          if (code >= 97 && code <= 122) this.asciiClass[code - 32] = classCount;
        } else {
          otherClass.set(code, classCount);
        }
        classCount++;
      }
    }
    this.otherClass = otherClass;
    this.classCount = classCount;

    let maxStates = 1;
    for (const lit of rulesOf.keys()) maxStates += lit.length;
    if (maxStates * classCount > MAX_TABLE) {
      // Too big to be worth it: no literal at all, every rule runs.
      this.base.fill(1);
      rulesOf.clear();
      maxStates = 1;
      prefiltered = 0;
    }
    this.prefiltered = prefiltered;
    this.literalCount = rulesOf.size;

    // The trie of the literals (-1: no edge yet), with the rules ending at each node.
    const edges = new Int32Array(maxStates * classCount).fill(-1);
    const own: number[][] = [[]];
    for (const [lit, rules] of rulesOf) {
      let state = 0;
      for (let i = 0; i < lit.length; i++) {
        const k = classOf(lit.charCodeAt(i));
        let next = edges[state * classCount + k];
        if (next === -1) {
          next = own.length;
          own.push([]);
          edges[state * classCount + k] = next;
        }
        state = next;
      }
      own[state].push(...rules);
    }

    // Aho-Corasick: breadth-first, missing edges follow the failure link; a state's output includes its failure's.
    const states = own.length;
    const delta = states <= 0xffff ? new Uint16Array(states * classCount) : new Uint32Array(states * classCount);
    const fail = new Int32Array(states);
    const out: number[][] = own.map((rules) => [...new Set(rules)]);
    const queue: number[] = [];
    for (let k = 0; k < classCount; k++) {
      const next = edges[k];
      if (next > 0) {
        delta[k] = next;
        queue.push(next);
      }
    }
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q];
      const inherited = out[fail[u]];
      if (inherited.length > 0) out[u] = out[u].length === 0 ? inherited : [...new Set([...out[u], ...inherited])];
      for (let k = 0; k < classCount; k++) {
        const next = edges[u * classCount + k];
        const viaFail = delta[fail[u] * classCount + k];
        if (next > 0) {
          fail[next] = viaFail;
          delta[u * classCount + k] = next;
          queue.push(next);
        } else {
          delta[u * classCount + k] = viaFail;
        }
      }
    }
    this.delta = delta;
    this.outStart = new Int32Array(states + 1);
    for (let s = 0; s < states; s++) this.outStart[s + 1] = this.outStart[s] + out[s].length;
    this.outRules = Int32Array.from(out.flat());
  }

  /** Per rule (same order as the constructor's regexes): 1 when it may match `text`, 0 when it cannot. */
  select(text: string): Uint8Array {
    const result = this.base.slice();
    const { asciiClass, otherClass, classCount, delta, outStart, outRules } = this;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      const k = code < 128 ? asciiClass[code] : (otherClass.get(code) ?? 0);
      state = delta[state * classCount + k];
      for (let j = outStart[state], end = outStart[state + 1]; j < end; j++) result[outRules[j]] = 1;
    }
    return result;
  }
}
