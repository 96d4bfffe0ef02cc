// The three lines of text under the controls: the status, the last error and the result of a
// burst. Each also carries its facts in data-* attributes, which tests/www/ reads.

const $ = (selector) => document.querySelector(selector);

export const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function setStatus(text) {
  $("#status").textContent = text;
}

export function clearError() {
  const box = $("#error");
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.code;
  delete box.dataset.status;
}

// `AndOpenError` is the package's error class, undefined until the package has loaded; any
// other error is the page's own (the emulator or the package could not be reached).
export function showError(error, AndOpenError) {
  const box = $("#error");
  box.hidden = false;
  if (AndOpenError && error instanceof AndOpenError) {
    box.dataset.code = error.code;
    box.dataset.status = error.status === undefined ? "" : String(error.status);
    box.replaceChildren(
      el("strong", {}, "AndOpenError "),
      el("code", {}, error.code),
      error.status === undefined ? " (no HTTP status)" : ` · HTTP ${error.status}`,
      error.retryable ? " · retryable" : "",
      error.retryAfterSeconds === undefined ? "" : ` · Retry-After ${error.retryAfterSeconds} s`,
      ` — ${error.message}`,
    );
  } else {
    box.dataset.code = "page";
    box.replaceChildren(el("strong", {}, "Error "), ` — ${error?.message ?? String(error)}`);
  }
}

// burst: { size, cold, tokenRequests, apiRequests, failed, elapsedMs }, the request counts as
// the emulator counted them.
export function showBurstResult(burst) {
  const { size, cold, tokenRequests, apiRequests, failed, elapsedMs } = burst;
  const result = $("#burst-result");
  result.hidden = false;
  result.dataset.tokenRequests = String(tokenRequests);
  result.dataset.apiRequests = String(apiRequests);
  result.dataset.ok = String(size - failed);
  result.dataset.failed = String(failed);
  result.replaceChildren(
    el("strong", {}, `${size} calls → ${plural(tokenRequests, "token request")}`),
    ` (${cold ? "cold start: no token yet, one shared renewal" : "a valid token was already in memory"}); `
      + `${size - failed} ok, ${failed} failed, ${apiRequests} API requests, ${elapsedMs} ms.`,
  );
}

function el(name, attributes, ...children) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}
