// The picture: an SVG timeline of the model, redrawn whenever the model changes (at most once a
// frame) and by the page's clock. This file draws the frame (lanes, time grid, "now") and puts
// the marks of timeline-marks.js inside it.

import { AXIS_Y, LANES, W, X0, X1, scaleFor, timeWindow } from "./timeline-layout.js";
import {
  clock, drawActions, drawCalls, drawClientMarks, drawTokenRequests, drawTokens, escapeXml,
} from "./timeline-marks.js";

// deps: { svg, zoom (the window <select>), model (a TokenLifeModel), leewaySeconds }.
// Returns { render(), schedule() }.
export function createTimeline({ svg, zoom, model, leewaySeconds }) {
  let queued = false;

  function render() {
    const now = Date.now();
    const scale = scaleFor(now, timeWindow(model, now, zoom.value));
    svg.innerHTML = [
      frame(scale),
      `<g clip-path="url(#plot)">`,
      ...drawActions(model, scale),
      ...drawTokens(model, scale, leewaySeconds),
      ...drawTokenRequests(model, scale),
      ...drawCalls(model, scale),
      ...drawClientMarks(model, scale),
      `<line class="now" x1="${scale.x(now)}" y1="26" x2="${scale.x(now)}" y2="${AXIS_Y}"/>`,
      `</g>`,
      axis(scale),
    ].join("");
    // What the model holds (drawn, or scrolled out of the window), for tests/www/.
    Object.assign(svg.dataset, {
      tokens: String(model.tokens.length),
      tokenRequests: String(model.tokenRequests.length),
      calls: String(model.calls.length),
      retries: String(model.retries.length),
      reauths: String(model.reauths.length),
    });
  }

  // A burst changes the model hundreds of times in a frame; one redraw is enough.
  function schedule() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
    });
  }

  return { render, schedule };
}

// Everything under the marks: the hatch pattern, the clip of the plot, the lanes and the grid.
function frame(scale) {
  return [
    `<defs>
    <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      <rect width="6" height="6" class="leeway-bg"/><line x1="0" y1="0" x2="0" y2="6" class="leeway-line"/>
    </pattern>
    <clipPath id="plot"><rect x="${X0}" y="0" width="${X1 - X0}" height="${AXIS_Y + 20}"/></clipPath>
  </defs>`,
    ...lanes(),
    ...grid(scale),
  ].join("");
}

// The lanes and their names, shaded in turn.
function lanes() {
  return Object.values(LANES).map((lane, i) => `<rect class="lane${i % 2 ? " alt" : ""}" x="0" y="${lane.y - 4}" width="${W}" height="${lane.h + 8}"/>`
    + `<text class="lane-name" x="10" y="${lane.y + lane.h / 2 + 4}">${escapeXml(lane.name)}</text>`);
}

// Time grid: a line every 2, 5 or 15 s depending on the span, every 5th or 2nd with a clock label.
function grid({ t0, t1, x }) {
  const span = t1 - t0;
  const step = span <= 30_000 ? 2_000 : span <= 90_000 ? 5_000 : 15_000;
  const labelEvery = span <= 30_000 ? 5 : 2;
  const out = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
    const gx = x(t);
    const major = Math.round(t / step) % labelEvery === 0;
    out.push(`<line class="grid${major ? " major" : ""}" x1="${gx}" y1="28" x2="${gx}" y2="${AXIS_Y}"/>`);
    if (major) out.push(`<text class="tick" x="${gx}" y="${AXIS_Y + 14}" text-anchor="middle">${clock(t)}</text>`);
  }
  return out;
}

// Outside the plot's clip: the label of "now" above the plot, and the time axis below it.
function axis({ now, x }) {
  return `<text class="now-label" x="${x(now)}" y="22" text-anchor="middle">now ${clock(now)}</text>`
    + `<line class="axis" x1="${X0}" y1="${AXIS_Y}" x2="${X1}" y2="${AXIS_Y}"/>`;
}
