/**
 * Text contrast of Adaptive Cards as hosts draw them: the WCAG 2 contrast ratio of each text element's colour (from a
 * host config's `foregroundColors`) on its container's background.
 * @packageDocumentation
 */

/** The colours of one Adaptive Card host config that text contrast depends on. */
export interface HostColours {
  readonly name: string;
  /** The colour behind a card whose container style sets none (the chat bubble, the message pane). */
  readonly canvas: string;
  /** Per container style: its background (none: the parent's) and its text colours, `default` and `subtle`. */
  readonly containerStyles: Readonly<
    Record<string, { readonly backgroundColor?: string; readonly foregroundColors: Readonly<Record<string, { readonly default: string; readonly subtle: string }>> }>
  >;
}

/**
 * Web Chat 4.18.1's default host config (`botframework-webchat/src/adaptiveCards/Styles/adaptiveCardHostConfig.ts`,
 * with the default style options: `bubbleTextColor` Black, `subtle` #767676, `accent` #0063B1, `bubbleBackground`
 * White, `cardEmphasisBackgroundColor` #F9F9F9). The package's Node build cannot be loaded (its ES5 dependencies are
 * not built), so the values are copied here; `webChatVersion` below pins the version they were read from.
 */
export const WEB_CHAT_4_18: HostColours = {
  name: 'Web Chat 4.18 default',
  canvas: '#FFFFFF',
  containerStyles: {
    default: {
      foregroundColors: {
        default: { default: '#000000', subtle: '#767676' },
        accent: { default: '#0063B1', subtle: '#0078D4' },
        attention: { default: '#D13438', subtle: '#A4262C' },
        dark: { default: '#000000', subtle: '#646464' },
        good: { default: '#0B6A0B', subtle: '#028A02' },
        light: { default: '#FFFFFF', subtle: '#767676' },
        warning: { default: '#B75C00', subtle: '#986F0B' },
      },
    },
    emphasis: { backgroundColor: '#F9F9F9', foregroundColors: { default: { default: '#000000', subtle: '#484644' } } },
    accent: { backgroundColor: '#C7DEF9', foregroundColors: { default: { default: '#333333', subtle: '#484644' } } },
    good: { backgroundColor: '#CCFFCC', foregroundColors: { default: { default: '#333333', subtle: '#484644' } } },
    attention: { backgroundColor: '#FFC5B2', foregroundColors: { default: { default: '#333333', subtle: '#484644' } } },
    warning: { backgroundColor: '#FFE2B2', foregroundColors: { default: { default: '#333333', subtle: '#484644' } } },
  },
};

/** Web Chat version the {@link WEB_CHAT_4_18} colours were read from. */
export const WEB_CHAT_COLOURS_VERSION = '4.18.1';

const TEAMS_TEXT = {
  default: { default: '#FF252424', subtle: '#BF252424' },
  dark: { default: '#252424', subtle: '#BF252424' },
  light: { default: '#FFFFFF', subtle: '#FFF3F2F1' },
  accent: { default: '#6264A7', subtle: '#8B8CC7' },
  good: { default: '#92C353', subtle: '#E592C353' },
  warning: { default: '#F8D22A', subtle: '#E5F8D22A' },
  attention: { default: '#C4314B', subtle: '#E5C4314B' },
};

/**
 * Teams' light theme, as in the Adaptive Cards project's `samples/HostConfig/microsoft-teams-light.json` (the
 * designer's Teams host): the yellow `warning` and light green `good` of the issue's screenshots.
 */
export const TEAMS_LIGHT: HostColours = {
  name: 'Teams light',
  canvas: '#FFFFFF',
  containerStyles: {
    default: { backgroundColor: '#FFFFFF', foregroundColors: TEAMS_TEXT },
    emphasis: { backgroundColor: '#FFF9F8F7', foregroundColors: TEAMS_TEXT },
    accent: { backgroundColor: '#C7DEF9', foregroundColors: TEAMS_TEXT },
    good: { backgroundColor: '#CCFFCC', foregroundColors: TEAMS_TEXT },
    attention: { backgroundColor: '#FFC5B2', foregroundColors: TEAMS_TEXT },
    warning: { backgroundColor: '#FFE2B2', foregroundColors: TEAMS_TEXT },
  },
};

type Rgb = readonly [number, number, number];

/** Parses `#RRGGBB`, `#AARRGGBB` (Adaptive Cards' order) or `rgb()/rgba()` (CSS), composited over `under`. */
export function parseColour(colour: string, under: Rgb = [255, 255, 255]): Rgb {
  const hex = /^#([0-9a-f]{6}|[0-9a-f]{8})$/i.exec(colour.trim());
  let rgb: Rgb;
  let alpha = 1;
  if (hex) {
    const h = hex[1];
    const at = (i: number) => parseInt(h.slice(i, i + 2), 16);
    if (h.length === 8) {
      alpha = at(0) / 255;
      rgb = [at(2), at(4), at(6)];
    } else rgb = [at(0), at(2), at(4)];
  } else {
    const css = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+))?\s*\)$/i.exec(colour.trim());
    if (!css) throw new TypeError(`parseColour: cannot read "${colour}"`);
    rgb = [Number(css[1]), Number(css[2]), Number(css[3])];
    if (css[4] !== undefined) alpha = Number(css[4]);
  }
  return [0, 1, 2].map((i) => rgb[i] * alpha + under[i] * (1 - alpha)) as unknown as Rgb;
}

const luminance = ([r, g, b]: Rgb): number => {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};

/** WCAG 2 contrast ratio of two colours (1 to 21). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** One piece of text of a card, with the colours it is drawn in. */
export interface CardText {
  readonly text: string;
  readonly colour: string;
  readonly background: string;
  readonly ratio: number;
}

type Element = Readonly<Record<string, unknown>>;
const lower = (v: unknown, fallback: string): string => (typeof v === 'string' ? v.toLowerCase() : fallback);

/**
 * Every text of a card (TextBlocks, RichTextBlock runs, FactSet titles and values) with its colour, background and
 * contrast ratio as `host` draws it, following container styles (`Container`, `ColumnSet`, `Column`).
 */
export function cardTexts(card: { readonly body: ReadonlyArray<Element> }, host: HostColours): CardText[] {
  const out: CardText[] = [];
  const visit = (elements: ReadonlyArray<Element>, style: string, background: Rgb, backgroundName: string) => {
    for (const e of elements) {
      const styleName = typeof e.style === 'string' && host.containerStyles[e.style.toLowerCase()] ? e.style.toLowerCase() : style;
      const styleDef = host.containerStyles[styleName];
      const ownBackground = styleName !== style && styleDef.backgroundColor ? styleDef.backgroundColor : undefined;
      const bg = ownBackground ? parseColour(ownBackground, background) : background;
      const bgName = ownBackground ?? backgroundName;
      const add = (text: unknown, color: unknown, subtle: unknown) => {
        const colours = styleDef.foregroundColors[lower(color, 'default')] ?? host.containerStyles.default.foregroundColors[lower(color, 'default')];
        const colour = subtle === true ? colours.subtle : colours.default;
        out.push({ text: String(text), colour, background: bgName, ratio: contrastRatio(parseColour(colour, bg), bg) });
      };
      if (e.type === 'TextBlock') add(e.text, e.color, e.isSubtle);
      if (e.type === 'RichTextBlock') for (const run of (e.inlines as Element[] | undefined) ?? []) add(run.text, run.color, run.isSubtle);
      for (const f of e.type === 'FactSet' ? ((e.facts as Element[] | undefined) ?? []) : []) {
        add(f.title, 'default', false);
        add(f.value, 'default', false);
      }
      for (const key of ['items', 'columns'] as const) {
        const children = e[key];
        if (Array.isArray(children)) visit(children as Element[], styleName, bg, bgName);
      }
    }
  };
  const canvas = parseColour(host.canvas);
  const root = host.containerStyles.default.backgroundColor;
  visit(card.body, 'default', root ? parseColour(root, canvas) : canvas, root ?? host.canvas);
  return out;
}
