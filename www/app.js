// The demo page: one AndOpenClient against the local &Open emulator, and a live picture of what
// it does: the token's life, renewals by grant, API calls by status, retries and 401
// re-authentications, all on one time axis. Plain ES modules, no build step. This file starts
// the page and wires the parts:
//   token-model.js     what the client did (from its events and the page's calls)
//   emulator-admin.js  the emulator's admin routes for this page's tenant
//   controls.js        what each button does
//   panels.js          client.tokenInfo() and the emulator's counters
//   messages.js        the status line, the error box, the burst's result
//   timeline.js        the SVG timeline (with timeline-layout.js and timeline-marks.js)
//
// Never shown anywhere: the client secret, the API key, an access or refresh token. The page
// never calls client.accessToken(); events and tokenInfo() carry no token values.

import { wireControls } from "./controls.js";
import { EmulatorAdmin } from "./emulator-admin.js";
import { setStatus, showError } from "./messages.js";
import { createPanels } from "./panels.js";
import { createTimeline } from "./timeline.js";
import { TokenLifeModel } from "./token-model.js";

const LEEWAY_SECONDS = 10;
const TOKEN_LIFETIME_SECONDS = 30;
// The emulator's demo credentials (emulator/README.md). Fine for a local emulator; a real
// client secret belongs on a server or in a Worker.
const DEMO_CREDENTIALS = {
  apiKey: "emu-api-key",
  clientId: "andopen_client_id_emulator",
  clientSecret: "emu-client-secret",
};

const $ = (selector) => document.querySelector(selector);
const body = document.body;
// A tenant of its own, so that the emulator's counters are this page's alone.
const tenant = `demo-${Math.random().toString(36).slice(2, 10)}`;
// The package's error class, once the package has loaded: a failed start may be the client's
// own error (say, an option it refused), shown with its code.
let AndOpenError;

// Start: config, the package, the tenant's short token lifetime, the client, the parts.
async function main() {
  const config = await fetch("/config.json").then((r) => r.json());
  const pkg = await loadPackage();
  AndOpenError = pkg.AndOpenError;
  const model = new TokenLifeModel();
  const admin = new EmulatorAdmin(config.authUrl, tenant);
  const timeline = createTimeline({ svg: $("#timeline"), zoom: $("#zoom"), model, leewaySeconds: LEEWAY_SECONDS });
  model.onChange(timeline.schedule);
  // An error the client raised is also drawn on the timeline; the page's own are only shown.
  const reportError = (error) => {
    showError(error, AndOpenError);
    if (error instanceof AndOpenError) model.recordError(error, Date.now());
    timeline.schedule();
  };

  await admin.configure({ tokenLifetimeSeconds: TOKEN_LIFETIME_SECONDS });
  const client = new pkg.AndOpenClient({
    ...DEMO_CREDENTIALS,
    tenant,
    authUrl: config.authUrl,
    apiUrl: config.apiUrl,
    refreshLeewaySeconds: LEEWAY_SECONDS,
    dangerouslyAllowBrowser: true, // the emulator's demo credentials only; see the note at the top
    onEvent: (event) => model.record(event, Date.now()),
  });
  $("#tenant").textContent = `tenant ${tenant}`;
  body.dataset.tenant = tenant;
  const panels = createPanels({ client, admin, model, leewaySeconds: LEEWAY_SECONDS, reportError });
  wireControls({ client, admin, model, panels, reportError, redraw: timeline.schedule });
  $("#zoom").addEventListener("change", timeline.schedule);
  await panels.refresh();
  setStatus(`Ready. Emulator at ${config.authUrl} (auth) and ${config.apiUrl} (API). Press “Call the API”.`);
  // The clock: countdowns move and "now" slides even when nothing happens.
  setInterval(() => {
    panels.tick();
    timeline.schedule();
  }, 250);
  timeline.render();
  body.dataset.ready = "true";
}

async function loadPackage() {
  try {
    return await import("/pkg/index.browser.js");
  } catch (error) {
    throw new Error(`could not load /pkg/index.browser.js (build it with: bash scripts/build-pkg.sh): ${error.message}`);
  }
}

main().catch((error) => {
  setStatus("The demo could not start.");
  showError(error, AndOpenError);
  body.dataset.ready = "error";
});
