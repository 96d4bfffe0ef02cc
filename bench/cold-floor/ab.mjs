// Cold start in workerd of several built packages, interleaved one round at a time in shuffled
// order (bench/workerd.mjs `workerdColdStart`, which also runs @badgateway/oauth2-client in each
// round); medians per package. usage: DIRS=pkg,pkg-cold-floor [ROUNDS=15] node bench/cold-floor/ab.mjs
import { startEmulator } from "../../emulator/server.mjs";

const dirs = (process.env.DIRS ?? "pkg,pkg-cold-floor").split(",");
const rounds = Number(process.env.ROUNDS ?? 15);
const coldStart = {};
for (const dir of dirs) {
  // bench/workerd.mjs reads BENCH_PKG_DIR when it is loaded: one copy of it per package.
  process.env.BENCH_PKG_DIR = dir;
  coldStart[dir] = (await import(`../workerd.mjs?dir=${dir}`)).workerdColdStart;
}
const emu = await startEmulator({ authPort: 0, apiPort: 0 });
const samples = Object.fromEntries(dirs.map((d) => [d, []]));
try {
  for (let i = 0; i < rounds; i++) {
    for (const dir of [...dirs].sort(() => Math.random() - 0.5)) samples[dir].push(...(await coldStart[dir](emu, { rounds: 1 })));
  }
} finally {
  await emu.close();
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(2)} ms`;
for (const dir of dirs) {
  const s = samples[dir];
  const cold = s.map((x) => x.coldStartMs).sort((a, b) => a - b);
  console.log(`${dir.padEnd(16)} cold start median ${ms(median(cold))} (middle half ${ms(cold[s.length >> 2])} to ${ms(cold[(3 * s.length) >> 2])}), ` +
    `@badgateway/oauth2-client in the same rounds ${ms(median(s.map((x) => x.badgatewayColdStartMs)))}; n=${s.length}`);
}
