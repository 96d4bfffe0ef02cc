// Where things go on the timeline: the SVG's geometry, the time window it shows, and the rows
// that keep bars and labels from overlapping. No DOM here.

export const W = 1000;
export const X0 = 128; // left gutter for the lane names
export const X1 = 984;
export const LANES = {
  actions: { y: 34, h: 34, name: "You → emulator" },
  token: { y: 80, h: 70, name: "Access token" },
  auth: { y: 158, h: 40, name: "Token requests" },
  api: { y: 206, h: 100, name: "API calls" },
  client: { y: 314, h: 46, name: "Retries, 401s" },
};
export const AXIS_Y = 368;

// The time window [t0, t1] for the zoom choice ("fit" or a span in seconds). "fit" spans from
// the first activity (up to 3 min back) to just after the current token's expiry; a fixed span
// keeps "now" at 62% of the width.
export function timeWindow(model, now, zoom) {
  if (zoom !== "fit") {
    const span = Number(zoom) * 1000;
    const t0 = now - span * 0.62;
    return [t0, t0 + span];
  }
  const token = model.currentToken;
  const live = token && token.endedAt === undefined && token.expiresAt > now ? token.expiresAt : now;
  const t1 = Math.max(now + 3_000, live + 2_500);
  const times = [
    ...model.actions.map((a) => a.at), ...model.calls.map((c) => c.start),
    ...model.tokenRequests.map((r) => r.start), ...model.tokens.map((t) => t.obtainedAt),
  ].filter((t) => t >= t1 - 180_000);
  const first = times.length ? Math.min(...times) : now;
  return [Math.min(first - 1_500, t1 - 30_000), t1];
}

// What a drawing needs to know about the window: `x(t)` maps a time to an SVG x, `visible(a, b)`
// says whether [a, b] overlaps the window.
export function scaleFor(now, [t0, t1]) {
  return {
    now,
    t0,
    t1,
    x: (t) => X0 + ((t - t0) / (t1 - t0)) * (X1 - X0),
    visible: (a, b) => b >= t0 && a <= t1,
  };
}

// Places labels on a few rows so they do not overlap: each goes to the first row whose last
// label ends before it starts (else the row that frees up first).
export function labelRows(rowsY) {
  const right = rowsY.map(() => -Infinity);
  return (x, text) => {
    let row = right.findIndex((r) => r + 8 <= x);
    if (row === -1) row = right.indexOf(Math.min(...right));
    right[row] = x + 14 + text.length * 6.1;
    return rowsY[row];
  };
}

// Greedy interval packing: each item goes to the first row free at its start (2 px apart);
// when all rows are busy, rows are reused in turn (a burst then reads as a solid block).
export function packRows(items, x, now, maxRows) {
  const ends = [];
  let overflow = 0;
  return items.map((item) => {
    const start = x(item.start);
    let row = ends.findIndex((end) => end + 2 <= start);
    if (row === -1 && ends.length < maxRows) row = ends.length;
    if (row === -1) row = overflow++ % maxRows;
    ends[row] = Math.max(x(item.end ?? now), start + 4);
    return { item, row };
  });
}
