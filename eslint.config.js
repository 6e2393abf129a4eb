import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const focusedOrSkipped = ['only', 'skip', 'todo'].flatMap((property) =>
  ['it', 'test', 'describe', 'suite'].map((object) => ({ object, property, message: `${object}.${property} hides tests; run them all.` })),
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'test-artifacts/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-restricted-properties': ['error', ...focusedOrSkipped],
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Test options such as { only: true } or { skip: true } hide tests just as .only does.
      'no-restricted-syntax': ['error', { selector: "Property[key.name=/^(only|skip|todo)$/]", message: 'Tests run in full: no only/skip/todo options.' }],
    },
  },
);
