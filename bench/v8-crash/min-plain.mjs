// Minimal reproduction without natives syntax and without the package: a hot JS function calls a
// wasm export whose result is an externref (TurboFan inlines the JS-to-wasm wrapper); the wasm
// function calls back into JS, and that JS changes the shape of an object the optimized caller
// depends on (a stable-map dependency), so the caller is deoptimized lazily while the wasm call is
// on the stack. Node 20 (V8 11.3): Fatal error ... unreachable code in
// Deoptimizer::DoComputeBuiltinContinuation. Node 24: prints "survived".
//   node min-plain.mjs [i32]      (i32: same, with an i32 result: survives on Node 20 too)
const wantI32 = process.argv[2] === "i32";
const r = wantI32 ? 0x7f : 0x6f;
// (module (import "m" "cb" (func (result R))) (func (export "f") (param externref) (result R) call 0))
const bytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x0a, 0x02, 0x60, 0x00, 0x01, r, 0x60, 0x01, 0x6f, 0x01, r,
  0x02, 0x08, 0x01, 0x01, 0x6d, 0x02, 0x63, 0x62, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x01,
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01,
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0b,
]);
const config = { limit: 1 };
let changeShape = false;
const cb = () => {
  if (changeShape) { changeShape = false; config.extra = 1; } // map transition: deopts dependants
  return wantI32 ? 1 : "r";
};
const { f } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { cb } }).exports;
function g(x) {
  return config.limit > 0 ? f(x) : undefined; // depends on `config`'s (stable) map
}
let sink;
for (let i = 0; i < 200_000; i++) sink = g("a"); // hot: TurboFan-optimized, wrapper inlined
changeShape = true;
sink = g("b");
console.log("survived", sink);
