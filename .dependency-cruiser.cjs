/**
 * Warmline's import rules, checked by tests/architecture/dependencies.test.ts (dependency-cruiser).
 *
 * Layers, top to bottom; imports point down only:
 *   index.ts, warmline.ts            entry points
 *   config.ts, bots/app/             settings and wiring (the composition root)
 *   bots/<feature>/, bots/*.ts       customer bot, agent desk (Teams, Slack), console, web chat, hub routes
 *   dialogs/                         conversations and channel rendering
 *   middleware/*.ts, storage/, handoffProtocol/   botbuilder turn middleware and botbuilder extension points
 *   middleware/signals/, middleware/handoff/, middleware/proactive/   signals, handoff and proactive care: no botbuilder
 *   middleware/shared/               logger, JSON, Redis helpers, replay caches
 */
const TOP = '^(index|warmline)\\.ts$';
const WIRING = '^(config\\.ts$|bots/app/)';
const BOTBUILDER = '(^|/)node_modules/(botbuilder[^/]*|botframework-[^/]*|restify[^/]*)/';
const FEATURES = ['agentDesk', 'console', 'webchat', 'hubs', 'carriers', 'proactive'];

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Imports form no cycle.', from: {}, to: { circular: true } },
    {
      name: 'entry-points-are-top',
      severity: 'error',
      comment: 'Nothing below imports the entry points.',
      from: { path: '^(bots|dialogs|middleware)/' },
      to: { path: TOP },
    },
    {
      name: 'wiring-above-features',
      severity: 'error',
      comment: 'Only the wiring and the entry points read the settings and the wiring.',
      from: { path: '^(bots/(?!app/)|dialogs/|middleware/)' },
      to: { path: WIRING },
    },
    ...FEATURES.map((feature) => ({
      name: `feature-${feature}-alone`,
      severity: 'error',
      comment: 'A feature folder under bots/ does not import another one.',
      from: { path: `^bots/${feature}/` },
      to: { path: `^bots/(?!${feature}/|app/)[^/]+/` },
    })),
    {
      name: 'dialogs-below-bots',
      severity: 'error',
      from: { path: '^dialogs/' },
      to: { path: '^bots/' },
    },
    {
      name: 'middleware-below-dialogs',
      severity: 'error',
      from: { path: '^middleware/' },
      to: { path: '^(bots|dialogs)/' },
    },
    {
      name: 'domain-below-middleware',
      severity: 'error',
      comment: 'The signals engine, the handoff domain and proactive care import only each other (proactive -> handoff -> signals) and shared.',
      from: { path: '^middleware/(signals|handoff|proactive)/' },
      to: { path: '^middleware/(?!signals/|handoff/|proactive/|shared/)' },
    },
    {
      name: 'handoff-below-proactive',
      severity: 'error',
      from: { path: '^middleware/(signals|handoff)/' },
      to: { path: '^middleware/proactive/' },
    },
    {
      name: 'signals-below-handoff',
      severity: 'error',
      from: { path: '^middleware/signals/' },
      to: { path: '^middleware/handoff/' },
    },
    {
      name: 'domain-without-botbuilder',
      severity: 'error',
      comment: 'The signals engine, the handoff domain and proactive care import no botbuilder, so a Microsoft 365 Agents SDK host is a thin layer.',
      from: { path: '^middleware/(signals|handoff|proactive|shared)/' },
      to: { path: BOTBUILDER },
    },
    {
      name: 'shared-at-the-bottom',
      severity: 'error',
      from: { path: '^middleware/shared/' },
      to: { path: '^(bots/|dialogs/|middleware/(?!shared/))' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|dist-bench|tests|bench|scripts|examples)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: require('node:path').join(__dirname, 'tsconfig.json') },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
