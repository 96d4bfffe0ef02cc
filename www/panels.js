// The two panels under the timeline: what client.tokenInfo() says, with a live countdown, and
// the emulator's counters for this tenant. Each also carries its facts in data-* attributes,
// which tests/www/ reads.

const field = (root, name) => root.querySelector(`[data-field="${name}"]`);

// deps: { client, admin (an EmulatorAdmin), model (a TokenLifeModel), leewaySeconds (the
//         client's refreshLeewaySeconds), reportError(error) }. Returns { refresh(), tick() }.
export function createPanels({ client, admin, model, leewaySeconds, reportError }) {
  const tokenInfo = document.querySelector("#token-info");
  const counters = document.querySelector("#counters");
  let info = null;

  // The countdown moves between refreshes, so it has its own, cheap, redraw.
  function tick() {
    showExpiry(field(tokenInfo, "expires"), info, leewaySeconds);
  }

  async function refresh() {
    try {
      info = await client.tokenInfo();
    } catch (error) {
      reportError(error);
    }
    if (info) model.adoptExpiry(info.expiresAt);
    showTokenInfo(tokenInfo, info);
    tick();
    try {
      showCounters(counters, await admin.state());
    } catch (error) {
      reportError(error);
    }
  }

  return { refresh, tick };
}

function showTokenInfo(panel, info) {
  panel.dataset.present = String(Boolean(info));
  panel.dataset.expiresAt = info ? String(info.expiresAt) : "";
  panel.dataset.source = info?.source ?? "";
  panel.dataset.hasRefreshToken = info ? String(info.hasRefreshToken) : "";
  field(panel, "scope").textContent = info ? (info.scope ?? "(none)") : "–";
  field(panel, "hasRefreshToken").textContent = info ? (info.hasRefreshToken ? "yes" : "no") : "–";
  field(panel, "source").textContent = info?.source ?? "–";
}

function showExpiry(cell, info, leewaySeconds) {
  if (!info) {
    cell.textContent = "– (no token yet)";
    return;
  }
  const left = (info.expiresAt - Date.now()) / 1000;
  const at = new Date(info.expiresAt).toLocaleTimeString([], { hour12: false });
  cell.textContent = left > 0
    ? `${at} (in ${left.toFixed(0)} s${left <= leewaySeconds ? ", in the leeway" : ""})`
    : `${at} (expired ${(-left).toFixed(0)} s ago)`;
}

function showCounters(box, { counters, pendingFaults }) {
  const values = {
    tokenTotal: counters.tokenRequests.total,
    tokenCc: counters.tokenRequests.client_credentials,
    tokenRefresh: counters.tokenRequests.refresh_token,
    apiRequests: counters.apiRequests,
    unauthorized: counters.unauthorized,
    faultsServed: counters.faultsServed,
    pendingFaults,
  };
  for (const [name, value] of Object.entries(values)) field(box, name).textContent = String(value);
  Object.assign(box.dataset, {
    tokenRequests: String(counters.tokenRequests.total),
    tokenRequestsClientCredentials: String(counters.tokenRequests.client_credentials),
    tokenRequestsRefreshToken: String(counters.tokenRequests.refresh_token),
    apiRequests: String(counters.apiRequests),
    unauthorized: String(counters.unauthorized),
    faultsServed: String(counters.faultsServed),
    pendingFaults: String(pendingFaults),
  });
}
