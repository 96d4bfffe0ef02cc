// The names and numbers driver.js and the Rust layer exchange exist in both languages: the codes
// an attempt rejects with, the BODY_* states and READ_* modes (src/js/http.rs), and the session's
// operations, kinds of step, store outcomes and token states (src/js/session/). This fails when
// the two differ.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import * as driver from "../../src/js/driver.js";
import { CLIENT_METHODS } from "../../src/js/error.js";

const source = (file) => readFileSync(new URL(`../../src/js/${file}`, import.meta.url), "utf8");
const http = source("http.rs");
// The session is a module folder (src/js/session/): its constants may live in any of its files.
const session = readdirSync(new URL("../../src/js/session/", import.meta.url))
  .filter((file) => file.endsWith(".rs"))
  .map((file) => source(`session/${file}`))
  .join("\n");

function rustConsts(rust, file) {
  const numbers = [...rust.matchAll(/^(?:pub )?const ([A-Z_]+): u(?:8|32) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]);
  const strings = [...rust.matchAll(/^(?:pub )?const ([A-Z_]+): &str = "([a-z]+)";/gm)].map((m) => [m[1], m[2]]);
  const found = Object.fromEntries([...numbers, ...strings]);
  assert.ok(Object.keys(found).length > 5, `extracted no constants from src/js/${file}: update this test`);
  return found;
}

test("every rejection code and body state of http.rs has the same number in driver.js", () => {
  const names = ["ABORTED", "TIMEOUT", "BAD_HEADERS", "NO_FETCH", "BAD_RESPONSE", "BODY_TEXT", "BODY_JSON", "BODY_TOO_LARGE", "BODY_NOT_JSON"];
  const consts = rustConsts(http, "http.rs");
  for (const name of names) {
    assert.equal(consts[name], driver[name], `${name}: http.rs says ${consts[name]}, driver.js says ${driver[name]}`);
  }
});

test("every operation, step kind, store outcome and token state of the session (src/js/session/) is driver.js's", () => {
  const consts = rustConsts(session, "session/*.rs");
  const shared = Object.keys(consts).filter((name) => /^(OP|STEP|STORE|TOKEN|ERROR)_/.test(name));
  assert.ok(shared.length >= 35, `only ${shared.length} OP_/STEP_/STORE_/TOKEN_ constants found in src/js/session`);
  for (const name of shared) {
    assert.equal(driver[name], consts[name], `${name}: session says ${consts[name]}, driver.js says ${driver[name]}`);
  }
  // And the other way: nothing driver.js switches on is unknown to the session (STORE_MISSING is
  // the one outcome the session only names in a comment, as its fallback arm).
  for (const [name, value] of Object.entries(driver)) {
    if (!/^(OP|STEP|STORE|TOKEN|ERROR)_/.test(name) || name === "STORE_MISSING") continue;
    assert.equal(consts[name], value, `${name} is in driver.js but not in the session`);
  }
  assert.match(session, /\/\/ STORE_MISSING \(4\)/);
  assert.equal(driver.STORE_MISSING, 4);
});

test("every exported number of driver.js that the Rust layer also names agrees", () => {
  const consts = { ...rustConsts(http, "http.rs"), ...rustConsts(session, "session/*.rs") };
  for (const [name, value] of Object.entries(driver)) {
    if (name in consts) assert.equal(consts[name], value, name);
  }
});

test("the Read modes of http.rs are driver.js's READ_* numbers", () => {
  const modes = http.match(/pub enum Read \{([\s\S]*?)\n\}/);
  assert.ok(modes, "no `enum Read` in src/js/http.rs");
  const values = Object.fromEntries([...modes[1].matchAll(/(\w+) = (\d+),/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(values, { None: driver.READ_NONE, Text: driver.READ_TEXT, Json: driver.READ_JSON });
});

test("error.js CLIENT_METHODS are the methods types.rs declares for AndOpenClient, each a Driver method", () => {
  const types = source("types.rs");
  const body = types.match(/^export interface AndOpenClient \{([\s\S]*?)^\}/m);
  assert.ok(body, "no `export interface AndOpenClient` in src/js/types.rs: update this test");
  const declared = [...body[1].matchAll(/^\s+([A-Za-z_$][\w$]*)\s*\(/gm)].map((m) => m[1]);
  assert.deepEqual([...CLIENT_METHODS].sort(), declared.sort());
  for (const name of CLIENT_METHODS) {
    assert.equal(typeof driver.Driver.prototype[name], "function", `Driver has no method ${name}`);
  }
});
