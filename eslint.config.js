// ESLint (flat config): typescript-eslint's recommended rules, the React hooks rules, and the
// import boundaries of the layer map in CONTRIBUTING.md (app -> lib -> registry-core).
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

// An import path that reaches a top-level directory of the repo, by the `@/` alias or relatively.
const topLevel = (dirs) => `^(@/|(\\.\\./)+)(${dirs})(/|$)`

/** registry-core is framework-free: it talks to the app only through its ports. */
const coreIsFrameworkFree = [
  { regex: topLevel('lib|app|components|scripts'), message: 'registry-core talks to the app only through its ports (registry-core/src/ports.ts).' },
  {
    group: ['next', 'next/*', 'next-auth', 'next-auth/*', 'react', 'react/*', 'react-dom', 'react-dom/*', '@prisma/*', 'pg', 'pino'],
    message: 'registry-core is framework-free: no Next, React, Prisma, pg or pino; it talks to the app only through its ports.',
  },
]

/** lib/ is below app/ and components/. */
const libIsBelowTheApp = [{ regex: topLevel('app|components'), message: 'lib/ must not import from app/ or components/ (arrows point app -> lib).' }]

/**
 * Components run in the browser: from lib/ they may import values only from the pure modules listed
 * here; anything else (the database, the registry, config, logger, route helpers, domain services)
 * only as types, which the compiler erases.
 */
const componentsStayOffTheServer = [
  {
    regex: '^(@/|(\\.\\./)+)lib/(?!(plural|auth/permissions|auth/login-errors|auth/safe-redirect|webhooks/event-types|retention/templates|(.+/)?schemas?)$)',
    allowTypeImports: true,
    message: 'Components run in the browser: import values only from pure lib/ modules (see eslint.config.js); server modules only with `import type`.',
  },
  {
    group: ['@prisma/*', 'node:*', '**/registry-core/**'],
    allowTypeImports: true,
    message: 'Components run in the browser: no server-only modules.',
  },
]
const componentsServerPackages = ['pg', 'pino', 'next-auth'].map((name) => ({
  name,
  allowTypeImports: true,
  message: 'Components run in the browser: no server-only modules (next-auth/react is the browser side).',
}))

/**
 * The response schema modules (lib/<domain>/schema.ts) are what components import for the API's types:
 * values only from zod, other schema modules and the pure permission, event type and retention template
 * lists; anything else (the database, config, domain services) only as types. Components import
 * zod-free values from those lists rather than from a schema module where they can, which keeps zod out
 * of pages that need none (the browser runs zod jitless: see instrumentation-client.ts).
 */
const schemasArePure = [
  {
    regex: '^(?!zod$)(?!(\\.|@/).*/(schemas?|auth/permissions|event-types|templates)$)',
    allowTypeImports: true,
    message: 'Schema modules are imported by browser code: values only from zod, other schema modules and pure lib/ modules; anything else with `import type`.',
  },
]

/** Outside registry-core, its API is its entry point. */
const coreThroughItsEntryPoint = [
  {
    regex: '(^|/)registry-core/src/(?!index$)',
    message: 'Import registry-core through its entry point (registry-core/src/index), not its internals (issue #11).',
  },
]

/** Domain modules do not depend on the REST layer. */
const domainBelowTheApi = [{ regex: '^(@/lib/|(\\.\\./)+(lib/)?)api(/|$)', message: 'Domain modules must not import from lib/api/ (issue #11).' }]

const restrict = (patterns, paths = []) => ['error', { patterns, paths }]
/** Boundaries checked by `no-restricted-imports` (the core rule), alongside typescript-eslint's. */
const forbid = (...lists) => ['error', { patterns: lists.flat() }]

export default defineConfig(
  {
    ignores: [
      'node_modules/',
      '.next/',
      'dist/',
      'data/',
      'lib/generated/',
      'prisma/migrations/',
      'test-results/',
      'playwright-report/',
      '.clients/',
      'bench/results/',
      'next-env.d.ts',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // TypeScript checks names (typescript-eslint's advice); the few .js/.mjs files are config and scripts.
      'no-undef': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read JSON bodies loosely on purpose; their assertions are the type check.
    files: ['tests/**', 'e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['app/**/*.tsx', 'components/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    // The classic hooks rules. The React Compiler rules of the plugin's `recommended` set are left out:
    // this app does not use the compiler, and what they find (setState in effects that sync state to
    // props) needs rewrites that are not behaviour-neutral.
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // Import boundaries. One rule entry per directory group: a later entry for the same file replaces
  // an earlier one, so each group lists every boundary that applies to it.
  { files: ['registry-core/**'], rules: { '@typescript-eslint/no-restricted-imports': restrict(coreIsFrameworkFree) } },
  {
    files: ['lib/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(libIsBelowTheApp),
      'no-restricted-imports': forbid(coreThroughItsEntryPoint),
    },
  },
  {
    files: ['lib/**/schema.ts', 'lib/**/schemas.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict([...libIsBelowTheApp, ...schemasArePure]) },
  },
  {
    files: ['lib/*/**'],
    ignores: ['lib/api/**'],
    rules: { 'no-restricted-imports': forbid(coreThroughItsEntryPoint, domainBelowTheApi) },
  },
  {
    files: ['components/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(componentsStayOffTheServer, componentsServerPackages),
      'no-restricted-imports': forbid(coreThroughItsEntryPoint),
    },
  },
  {
    files: ['**/*'],
    ignores: ['registry-core/**', 'tests/**', 'lib/**', 'components/**'],
    rules: { 'no-restricted-imports': forbid(coreThroughItsEntryPoint) },
  },
)
