// Minimal V8 reproduction, no package: a wasm export returning externref, called from a
// TurboFan-optimized JS function (the JS-to-wasm wrapper is inlined), whose caller is
// deoptimized (lazily) while the wasm call is on the stack.
// Run: node --allow-natives-syntax min-natives.mjs [i32]
const wantI32 = process.argv[2] === "i32";
// (module (import "m" "cb" (func (result externref)))
//         (func (export "f") (param externref) (result externref) call 0))
// i32 variant: (func (result i32)) / (func (param externref) (result i32) call 0)
const r = wantI32 ? 0x7f : 0x6f;
const bytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x0a, 0x02, 0x60, 0x00, 0x01, r, 0x60, 0x01, 0x6f, 0x01, r,
  0x02, 0x08, 0x01, 0x01, 0x6d, 0x02, 0x63, 0x62, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x01,
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01,
  0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0b,
]);
let deopt = false;
const cb = () => {
  if (deopt) %DeoptimizeFunction(g);
  return wantI32 ? 1 : "r";
};
const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { cb } });
const f = exports.f;
function g(x) {
  return f(x);
}
%PrepareFunctionForOptimization(g);
g("a"); g("b");
%OptimizeFunctionOnNextCall(g);
g("c");
// (g is optimized here; the crash below shows it)
deopt = true;
console.log("result after lazy deopt:", g("d"));
console.log("survived");
