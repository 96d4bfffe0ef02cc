// What the client (or its glue) prints, for the secret scans: every console method's output as
// "method: text" lines. The Node tests keep it off their own output (node:test reports through
// its own stream); the test Workers pass it through too, so workerd's log still shows it.
const METHODS = ["log", "info", "warn", "error", "debug", "trace"];

function describe(value) {
  if (value instanceof Error) return `${value.message}\n${value.stack}`;
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // a BigInt or a cycle
  }
}

export function captureConsole({ passThrough = false } = {}) {
  const lines = [];
  const original = {};
  for (const m of METHODS) {
    original[m] = console[m];
    console[m] = (...args) => {
      lines.push(`${m}: ${args.map(describe).join(" ")}`);
      if (passThrough) original[m].apply(console, args);
    };
  }
  return { lines, restore: () => Object.assign(console, original) };
}
