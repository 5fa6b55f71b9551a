// The core is pure: it must not import Svelte, UI code, adapters, the worker or @huggingface/* (STYLE.md).
// The page (src/ui) may use the storage adapter but never the model adapter: models run in the worker only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const FORBIDDEN = [
  /from\s+['"]svelte/,
  /from\s+['"]@huggingface\//,
  /from\s+['"]onnxruntime/,
  /from\s+['"]comlink/,
  /from\s+['"]\.\.\/(\.\.\/)*(ui|adapters|worker)\//,
  /from\s+['"]node:/,
];
const walk = (d) =>
  readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
const bad = [];
for (const file of walk('src/core').filter((f) => f.endsWith('.ts'))) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (FORBIDDEN.some((re) => re.test(line))) bad.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  if (/Math\.random/.test(readFileSync(file, 'utf8'))) bad.push(`${file}: uses Math.random (take an rng argument)`);
}
for (const file of walk('src/ui').filter((f) => /\.(ts|svelte)$/.test(f))) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (
        /from\s+['"](\.\.\/)+adapters\/model\//.test(line) ||
        /@huggingface\/|onnxruntime/.test(line.replace(/\/\/.*$/, ''))
      )
        if (/^\s*import\b|from\s+['"]/.test(line))
          bad.push(`${file}:${i + 1}: the page imports the model: ${line.trim()}`);
    });
}
if (bad.length) {
  console.error('src/core must stay pure, and src/ui must not load models:\n' + bad.join('\n'));
  process.exit(1);
}
console.log('core imports ok');
