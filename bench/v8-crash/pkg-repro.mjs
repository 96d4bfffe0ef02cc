// Deterministic reproduction through the package (needs --allow-natives-syntax to force the
// timing). The package's own `AndOpenClient.prototype.json` (generated glue:
// `json(e,t){return o.andopenclient_json(this.__wbg_ptr,e,...)}`, a wasm export whose result is an
// externref) is optimized by TurboFan, which inlines the JS-to-wasm wrapper. On the warm path (a
// fresh token is held, no `init`) fastCall -> sendAttempt calls `fetch` synchronously, i.e. while
// the wasm call is still on the stack; if `json`'s optimized code is deoptimized at that moment
// (here forced with %DeoptimizeFunction), V8 11.3 (Node 20) aborts in
// Deoptimizer::DoComputeBuiltinContinuation (TranslatedValueForWasmReturnKind: no case for
// externref -> UNREACHABLE).
//   node --allow-natives-syntax pkg-repro.mjs [old|new] [warm|init]
// No server: `fetch` is a stub (token 200; API 200 "{}").
// NOINLINE=1: v8.setFlagsFromString("--no-turbo-inline-js-wasm-calls") before loading the package
// (the process-wide alternative to the fastCall change).
if (process.env.NOINLINE === "1") (await import("node:v8")).setFlagsFromString("--no-turbo-inline-js-wasm-calls");
const PKGS = { old: "/tmp/old/pkg/index.node.js", new: "/tmp/newpkg/index.node.js", fix: "/tmp/fixpkg/index.node.js" };
const { AndOpenClient } = await import(PKGS[process.argv[2] ?? "old"]);
const mode = process.argv[3] ?? "warm";
let deopt = false, syncFetches = 0, inCall = false;
// The generated glue method. In the new build, index.node.js wraps every method (guard.js
// guardFreed: `function (...args) { ...; return method.apply(this, args) }`); the glue `json` is
// then captured once through Function.prototype.apply.
let json = AndOpenClient.prototype.json;
const myFetch = async (url, init) => {
  if (inCall) syncFetches++;
  if (deopt) { deopt = false; %DeoptimizeFunction(json); }
  if (String(url).endsWith("/auth/token")) {
    return new Response(JSON.stringify({ access_token: "tok", token_type: "bearer", expires_in: 3600 }), { headers: { "content-type": "application/json" } });
  }
  return new Response("{}", { headers: { "content-type": "application/json" } });
};
const base = "http://127.0.0.1:9";
const c = new AndOpenClient({ apiKey: "k", tenant: "t", clientId: "andopen_client_id_x", clientSecret: "s",
  authUrl: base, apiUrl: base, maxRetries: 0, fetch: myFetch });
await c.json("/"); // a fresh token is held from here on
if (!String(json).includes("andopenclient_json")) {
  const apply = Function.prototype.apply;
  Function.prototype.apply = function (t, a) {
    if (String(this).includes("andopenclient_json")) json = this;
    return Reflect.apply(this, t, a);
  };
  await c.json("/");
  Function.prototype.apply = apply;
}
const call = () => {
  inCall = true;
  try { return mode === "init" ? c.json("/", {}) : c.json("/"); } finally { inCall = false; }
};
%PrepareFunctionForOptimization(json);
await Promise.all([call(), call()]);
%OptimizeFunctionOnNextCall(json);
await call();
deopt = true;
const r = await call().then(() => "ok", (e) => e.code);
console.log(`survived (${mode}): ${r}; fetch called synchronously inside json(): ${syncFetches} times`);
