// Lint rules that carry the project's architecture: no `any` in production code, and no ambient
// time, randomness or I/O in the pure core (src/core) and the node state machine (src/node). The
// layers between folders and the ban on import cycles are dependency-cruiser's
// (.dependency-cruiser.cjs), run by `npm run lint` after this.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const impure = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'The core takes time as an argument.' },
    { object: 'Math', property: 'random', message: 'The core takes an injected Rng.' },
    { object: 'performance', property: 'now', message: 'The core takes time as an argument.' },
  ],
  'no-restricted-globals': [
    'error',
    { name: 'setTimeout', message: 'Timers belong to the runtime; the core is driven by tick(now).' },
    { name: 'setInterval', message: 'Timers belong to the runtime; the core is driven by tick(now).' },
    { name: 'setImmediate', message: 'Timers belong to the runtime.' },
    { name: 'process', message: 'The core does not touch the process.' },
  ],
  'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'The core takes time as an argument.' }],
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { regex: '^(node:)?(fs|fs/promises|net|http|https|dgram|child_process|timers|timers/promises|worker_threads)$', message: 'No I/O in the pure core.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', 'eslint.config.js', '.dependency-cruiser.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['src/core/**/*.ts', 'src/node/**/*.ts', 'src/protocol/**/*.ts'], ignores: ['**/*.test.ts'], rules: impure },
  { files: ['**/*.test.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // The dashboard's page script runs in the browser (ui/, served by every node).
  {
    files: ['ui/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { document: 'readonly', window: 'readonly', fetch: 'readonly', sessionStorage: 'readonly', Node: 'readonly', FormData: 'readonly', btoa: 'readonly', setInterval: 'readonly' },
    },
  },
);
