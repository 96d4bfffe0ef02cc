// The numbers attempt.js and src/js/http.rs exchange (the codes an attempt rejects with, the
// BODY_* states, the READ_* modes) exist in both languages; this fails when the two differ.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import * as attempt from "../../src/js/attempt.js";

const rust = readFileSync(new URL("../../src/js/http.rs", import.meta.url), "utf8");

function rustConsts() {
  const found = Object.fromEntries([...rust.matchAll(/^const ([A-Z_]+): u(?:8|32) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
  assert.ok(Object.keys(found).length > 5, "extracted no constants from src/js/http.rs: update this test");
  return found;
}

test("every rejection code and body state of http.rs has the same number in attempt.js", () => {
  const names = ["ABORTED", "TIMEOUT", "BAD_HEADERS", "NO_FETCH", "BAD_RESPONSE", "BODY_TEXT", "BODY_JSON", "BODY_TOO_LARGE", "BODY_NOT_JSON"];
  const consts = rustConsts();
  for (const name of names) {
    assert.equal(consts[name], attempt[name], `${name}: http.rs says ${consts[name]}, attempt.js says ${attempt[name]}`);
  }
  // Every exported number of attempt.js that http.rs also names agrees (no stale copy).
  for (const [name, value] of Object.entries(attempt)) {
    if (typeof value === "number" && name in consts) assert.equal(consts[name], value, name);
  }
});

test("the Read modes of http.rs are attempt.js's READ_* numbers", () => {
  const modes = rust.match(/pub enum Read \{([\s\S]*?)\n\}/);
  assert.ok(modes, "no `enum Read` in src/js/http.rs");
  const values = Object.fromEntries([...modes[1].matchAll(/(\w+) = (\d+),/g)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(values, { None: attempt.READ_NONE, Text: attempt.READ_TEXT, Json: attempt.READ_JSON });
});
