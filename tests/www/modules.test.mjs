// The demo page's ES modules (www/*.js) stay small and free of import cycles: a cycle would make
// a module's exports undefined at the moment another one first runs, which a browser reports
// only as a TypeError at load. node --test tests/www/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const WWW = fileURLToPath(new URL('../../www/', import.meta.url));
const MAX_LINES = 300;

const modules = readdirSync(WWW).filter((name) => name.endsWith('.js')).sort();
const source = (name) => readFileSync(`${WWW}${name}`, 'utf8');

// Static imports of sibling modules: `import ... from "./name.js"`. The page's only other
// import is the package, loaded with import("/pkg/...") at run time.
function importsOf(name) {
  return [...source(name).matchAll(/^import\s[^;]*?from\s+["']\.\/([\w.-]+)["'];?$/gms)].map((m) => m[1]);
}

test('every module the page imports exists, and index.html loads app.js', () => {
  assert.match(readFileSync(`${WWW}index.html`, 'utf8'), /<script type="module" src="app\.js"><\/script>/);
  for (const name of modules) {
    for (const imported of importsOf(name)) assert.ok(existsSync(`${WWW}${imported}`), `${name} imports ${imported}`);
  }
});

test('no import cycle among www/*.js', () => {
  const graph = new Map(modules.map((name) => [name, importsOf(name)]));
  const done = new Set();
  const visit = (name, path) => {
    assert.ok(!path.includes(name), `import cycle: ${[...path, name].join(' → ')}`);
    if (done.has(name)) return;
    for (const next of graph.get(name) ?? []) visit(next, [...path, name]);
    done.add(name);
  };
  for (const name of modules) visit(name, []);
  // Every module is reached from app.js, so none is dead.
  const reached = new Set();
  const walk = (name) => {
    if (reached.has(name)) return;
    reached.add(name);
    for (const next of graph.get(name) ?? []) walk(next);
  };
  walk('app.js');
  assert.deepEqual([...reached].sort(), modules);
});

test(`no module over ${MAX_LINES} lines`, () => {
  for (const name of modules) {
    const lines = source(name).split('\n').length - 1;
    assert.ok(lines <= MAX_LINES, `www/${name} has ${lines} lines`);
  }
});
