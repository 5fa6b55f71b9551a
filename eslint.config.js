// Lint: JavaScript + typescript-eslint recommended rules, Svelte's recommended rules for components and runes.
import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

// State with one owner: the page's state objects (src/ui/state) change through their own methods, never by a write to
// their fields from another module (main.ts, App, a component, another state class), assignment or bind: alike.
const STATE = '/^(engine|experiment|runs|explore|lessons|hub|cache|suites|setup|methods)$/';
const OWNER = "change the page's state through its owner's methods (src/ui/state), not by writing its fields";
const ownerRules = [
  `AssignmentExpression > MemberExpression.left[object.name=${STATE}]`,
  `AssignmentExpression > MemberExpression.left > MemberExpression.object[object.name=${STATE}]`,
  `UpdateExpression > MemberExpression.argument[object.name=${STATE}]`,
  `UpdateExpression > MemberExpression.argument > MemberExpression.object[object.name=${STATE}]`,
  'AssignmentExpression > MemberExpression.left[computed=false] > MemberExpression.object[object.type="ThisExpression"][property.type="Identifier"]',
  `SvelteDirective[kind="Binding"] > MemberExpression.expression[object.name=${STATE}]`,
  `SvelteDirective[kind="Binding"] > MemberExpression.expression > MemberExpression.object[object.name=${STATE}]`,
].map((selector) => ({ selector, message: OWNER }));
// ...and the state classes hold nothing another module could write: their reactive fields are private (#field, read
// through a getter), every other field private or readonly. The names above catch writes; these catch the fields.
const FIELDS = 'a state class exposes no field another module could write: use #field = $state(...) with a getter';
const fieldRules = [
  'PropertyDefinition[key.type!="PrivateIdentifier"] > CallExpression.value[callee.name="$state"]',
  'PropertyDefinition[key.type!="PrivateIdentifier"] > CallExpression.value > MemberExpression.callee[object.name="$state"]',
  'PropertyDefinition[key.type!="PrivateIdentifier"][readonly!=true][accessibility!="private"]',
].map((selector) => ({ selector, message: FIELDS }));

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'public/', 'test-results/', 'training/', '.bench-cache/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig } },
  },
  { files: ['src/**/*.ts', 'src/**/*.svelte'], rules: { 'no-restricted-syntax': ['error', ...ownerRules] } },
  { files: ['src/ui/**/*.svelte.ts'], rules: { 'no-restricted-syntax': ['error', ...ownerRules, ...fieldRules] } },
);
