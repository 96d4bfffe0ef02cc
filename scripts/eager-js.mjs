// Rewrites the package's JS so that V8 compiles its functions with the module, not one by one on
// first call (scripts/build-pkg.sh runs it on pkg/ as the last step). V8 compiles a function
// lazily: the module's parse only skims it, and its first call parses it again and makes its
// bytecode. For the 115 functions of the first token request that cost about 5 ms of a 15 ms
// workerd cold start; V8 compiles a function at once when its literal is wrapped in parentheses
// (a "possibly invoked function expression"), and esbuild, which wrangler bundles Workers with,
// keeps those parentheses (bench/NOTES.md, 2026-12-01). So:
// - a function or arrow expression is wrapped: `(function (a) {…})`, `((a) => …)`;
// - a top-level function declaration becomes `var f = (function (…) {…});`, moved to just after
//   the imports, so that every top-level statement still finds it defined, as hoisting did (the
//   function is still named f: an anonymous function takes the name it is assigned to);
// - a class method (not a getter, setter or constructor; not one that uses `super` or a private
//   `#name`, which only a class body can) leaves the class body for a definition right after the
//   class statement, non-enumerable, writable and configurable like a method. Classes that extend
//   another keep their methods (an Error, a Durable Object: their runtime looks at the class).
// What a user sees does not change: the same names, the same properties; the tests run on the
// rewritten package. The output is parsed again before it is written.
//
// usage: node scripts/eager-js.mjs FILE.js...
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parse } from "acorn";
import { full } from "acorn-walk";

// preserveParens: a function already in parentheses needs no more; one that is a call's argument
// does (the call's own parentheses are not a hint).
const OPTIONS = { ecmaVersion: "latest", sourceType: "module", preserveParens: true };
const DEFINE = "__andopenMethods";
// Defines methods as a class body does: not enumerable.
const DEFINE_HELPER =
  `var ${DEFINE} = (function (target, methods) { for (const name of Object.keys(methods)) ` +
  `Object.defineProperty(target, name, { value: methods[name], writable: true, configurable: true }); });`;

/** The statement's declaration of `type` (a FunctionDeclaration, a ClassDeclaration), exported or not. */
function declared(statement, type) {
  if (statement.type === type) return statement;
  const inner = statement.declaration;
  return statement.type === "ExportNamedDeclaration" && inner?.type === type ? inner : null;
}

/** A top-level `const` statement (exported or not): [its declaration, "export " or ""], else null. */
function constStatement(statement) {
  const exported = statement.type === "ExportNamedDeclaration";
  const declaration = exported ? statement.declaration : statement;
  return declaration?.type === "VariableDeclaration" && declaration.kind === "const" ? [declaration, exported ? "export " : ""] : null;
}

/** Whether a declarator gives a name a literal number, string or boolean (nothing to run). */
const literal = (d) => d.id.type === "Identifier" && d.init?.type === "Literal" && ["number", "string", "boolean"].includes(typeof d.init.value);

/** Whether a method can live outside its class body: no `super`, no private `#name`. */
function movable(source, method) {
  if (method.type !== "MethodDefinition" || method.kind !== "method" || method.computed) return false;
  // `__proto__: …` in the object literal the methods are defined from would set its prototype.
  if (method.key.type !== "Identifier" || method.key.name === "__proto__") return false;
  let needsClassBody = source.slice(method.value.start, method.value.end).includes("#");
  full(method.value, (node) => {
    if (node.type === "Super") needsClassBody = true;
  });
  return !needsClassBody;
}

export function eager(source) {
  const ast = parse(source, OPTIONS);
  // [position, characters removed, text inserted]; applied from the end of the file.
  const edits = [];
  const skipped = []; // [start, end] of moved methods: their inner functions are moved with them
  let helperNeeded = false;
  let afterImports = 0;
  const constants = [];
  const hoisted = [];
  // Whether a statement other than imports and literal constants came before: only constants
  // after one need to move (so a file rewritten once is left as it is).
  let pastHead = false;

  for (const statement of ast.body) {
    if (statement.type === "ImportDeclaration") afterImports = statement.end;
    const constant = constStatement(statement);
    const literalOnly = constant !== null && constant[0].declarations.every(literal);
    if (statement.type !== "ImportDeclaration" && !literalOnly) pastHead = true;
    if (pastHead && constant && constant[0].declarations.some(literal)) {
      // Literal constants go ahead of the hoisted functions that read them: a bundler inlines a
      // constant only where no reference to it comes before its declaration (esbuild keeps a
      // `var` otherwise). They run nothing, so they can be defined earlier; the rest stay, cut
      // out declarator by declarator (the other edits may be inside the ones that stay).
      const [declaration, exported] = constant;
      const all = declaration.declarations;
      const moved = all.filter(literal);
      constants.push(`${exported}const ${moved.map((d) => source.slice(d.start, d.end)).join(", ")};`);
      if (moved.length === all.length) {
        edits.push([statement.start, statement.end - statement.start, ""]);
        continue;
      }
      const last = all.findLastIndex((d) => !literal(d));
      all.forEach((d, i) => {
        if (literal(d) && i < last) edits.push([d.start, all[i + 1].start - d.start, ""]);
      });
      if (last < all.length - 1) edits.push([all[last].end, all.at(-1).end - all[last].end, ""]);
    }
    const fn = declared(statement, "FunctionDeclaration");
    if (fn) {
      const exported = statement !== fn ? "export " : "";
      // Without its own name: `var f = (function (…) {…})` names it f all the same.
      const text = source.slice(fn.start, fn.id.start) + source.slice(fn.id.end, fn.end);
      hoisted.push(`${exported}var ${fn.id.name} = (${eager(`(${text})`).slice(1, -1)});`);
      edits.push([statement.start, statement.end - statement.start, ""]);
      skipped.push([statement.start, statement.end]);
      continue;
    }
    const cls = declared(statement, "ClassDeclaration");
    if (!cls || cls.superClass) continue;
    const byTarget = { prototype: [], static: [] };
    for (const method of cls.body.body) {
      if (!movable(source, method)) continue;
      const value = method.value;
      // `{ m: (function (…) {…}) }` names the function m, as the method was.
      const text = `${value.async ? "async " : ""}function${value.generator ? "*" : ""}${source.slice(value.start, value.end)}`;
      byTarget[method.static ? "static" : "prototype"].push(`${method.key.name}: (${eager(`(${text})`).slice(1, -1)})`);
      edits.push([method.start, method.end - method.start, ""]);
      skipped.push([method.start, method.end]);
    }
    let defined = "";
    if (byTarget.prototype.length) defined += `\n${DEFINE}(${cls.id.name}.prototype, { ${byTarget.prototype.join(", ")} });`;
    if (byTarget.static.length) defined += `\n${DEFINE}(${cls.id.name}, { ${byTarget.static.join(", ")} });`;
    if (defined) {
      helperNeeded = true;
      edits.push([statement.end, 0, defined]);
    }
  }

  const inSkipped = (node) => skipped.some(([start, end]) => node.start >= start && node.end <= end);
  const methodValues = new Set();
  const parenthesized = new Set();
  full(ast, (node) => {
    if (node.type === "MethodDefinition" || (node.type === "Property" && (node.method || node.kind !== "init"))) {
      methodValues.add(node.value);
    }
    if (node.type === "ParenthesizedExpression") parenthesized.add(node.expression);
  });
  full(ast, (node) => {
    if (node.type !== "FunctionExpression" && node.type !== "ArrowFunctionExpression") return;
    if (methodValues.has(node) || parenthesized.has(node) || inSkipped(node)) return;
    edits.push([node.start, 0, "("], [node.end, 0, ")"]);
  });

  const head = [...constants, ...(helperNeeded ? [DEFINE_HELPER] : []), ...hoisted];
  if (head.length) edits.push([afterImports, 0, `\n${head.join("\n")}\n`]);
  // From the end. At one position: a removal first (it is of what follows), then the insertions,
  // each ahead of the one before: "(" ends up last, a closing ")" first.
  const rank = ([, removed, text]) => (removed ? 0 : text === "(" ? 1 : text === ")" ? 3 : 2);
  edits.sort((a, b) => b[0] - a[0] || rank(a) - rank(b));
  let out = source;
  for (const [at, removed, text] of edits) out = out.slice(0, at) + text + out.slice(at + removed);
  parse(out, OPTIONS);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const file of process.argv.slice(2)) writeFileSync(file, eager(readFileSync(file, "utf8")));
}
