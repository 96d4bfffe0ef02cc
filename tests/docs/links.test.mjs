// The repository and the npm package stand alone: every relative link in their Markdown resolves
// to a file inside them, nothing points at the workspace folder beside the repository, and the
// package ships docs/API.md (the file the package README links to).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { packedFiles, root } from "../bundlers/pack.mjs";

/** Relative link targets of a Markdown file, without their #fragment. */
function relativeLinks(file) {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1].split("#")[0])
    .filter((href) => href && !/^[a-z][a-z0-9+.-]*:/i.test(href));
}

function assertLinksInside(base, files) {
  for (const file of files) {
    for (const href of relativeLinks(join(base, file))) {
      const target = resolve(dirname(join(base, file)), href);
      const inside = relative(base, target);
      assert.ok(!inside.startsWith("..") && existsSync(target), `${file} links to ${href}, which is not a file inside ${base}`);
    }
  }
}

const tracked = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" }).split("\0").filter(Boolean);

test("relative links in the repository's Markdown resolve inside the repository", () => {
  // pkg-template/README.md becomes the package's README: its links are checked in the package.
  const markdown = tracked.filter((f) => f.endsWith(".md") && f !== "pkg-template/README.md" && existsSync(join(root, f)));
  assert.ok(markdown.includes("README.md") && markdown.includes("docs/API.md"), "README.md and docs/API.md are tracked");
  assertLinksInside(root, markdown);
});

test("no tracked file points at the workspace folder outside the repository", () => {
  const outside = [["..", "shared"].join("/"), ["shared", "docs"].join("/")];
  const offenders = [];
  for (const file of tracked) {
    if (!existsSync(join(root, file)) || /\.(png|wasm|tgz|lock)$/.test(file)) continue;
    const text = readFileSync(join(root, file), "utf8");
    for (const needle of outside) if (text.includes(needle)) offenders.push(`${file}: ${needle}`);
  }
  assert.deepEqual(offenders, []);
});

test("the package ships docs/API.md, and its README's links resolve inside the package", () => {
  const pkg = join(root, "pkg");
  const files = packedFiles();
  for (const needed of ["README.md", "docs/API.md", "index.d.ts", "andopen_client.d.ts", "package.json"]) {
    assert.ok(files.includes(needed), `the package does not ship ${needed} (files: ${files.join(", ")})`);
  }
  assert.equal(readFileSync(join(pkg, "docs/API.md"), "utf8"), readFileSync(join(root, "docs/API.md"), "utf8"), "pkg/docs/API.md is docs/API.md");
  assertLinksInside(pkg, files.filter((f) => f.endsWith(".md")));
  for (const file of files.filter((f) => f.endsWith(".md"))) {
    for (const href of relativeLinks(join(pkg, file))) {
      assert.ok(files.includes(join(dirname(file), href).replace(/^\.\//, "")), `${file} links to ${href}, which the package does not ship`);
    }
  }
});
