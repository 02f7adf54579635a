// The floor plan, checked (`npm run lint:layers`, part of `npm test`). Layers import only
// downward: platform < catalog < graphql | http | cli, with main.ts and config.ts the
// composition root above them all. A violation names its rule; README.md "Layout" explains each.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'A cycle makes two modules one: neither can be read, tested or moved alone. Cycles through ' +
        "the generated resolver types do not count: codegen's mappers import the rows resolvers return.",
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { pathNot: '^src/generated/' } },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code (entry points and declarations excepted).',
      from: { orphan: true, path: '^src/', pathNot: ['^src/main\\.ts$', '^src/cli/', '\\.d\\.ts$', '^src/generated/'] },
      to: {},
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'config.ts parses the environment once; any layer may read its types, so it imports nothing of src/.',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/' },
    },
    {
      name: 'platform-imports-no-layer',
      severity: 'error',
      comment: 'platform/ is what every domain stands on: it knows no domain and no transport.',
      from: { path: '^src/platform/' },
      to: { path: '^src/(catalog|graphql|http|cli|main\\.ts)' },
    },
    {
      name: 'catalog-imports-only-platform',
      severity: 'error',
      comment: 'catalog/ (the domains) stands on platform/ only; transports are above it.',
      from: { path: '^src/catalog/' },
      to: { path: '^src/(graphql|http|cli|main\\.ts)' },
    },
    {
      name: 'domain-to-domain-through-services',
      severity: 'error',
      comment: "A domain reaches another only through that domain's service surface (its index.ts).",
      from: { path: '^src/catalog/([^/]+)/' },
      to: { path: '^src/catalog/[^/]+/', pathNot: ['^src/catalog/$1/', '^src/catalog/[^/]+/index\\.ts$'] },
    },
    {
      name: 'graphql-not-http-or-cli',
      severity: 'error',
      comment: 'graphql/ is mounted by http/, never the other way round.',
      from: { path: '^src/graphql/' },
      to: { path: '^src/(http|cli|main\\.ts)' },
    },
    {
      name: 'http-not-cli',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/(cli|main\\.ts)' },
    },
    {
      name: 'cli-not-transports',
      severity: 'error',
      comment: 'A command runs services, not a server.',
      from: { path: '^src/cli/' },
      to: { path: '^src/(graphql|http|main\\.ts)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/prisma' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
