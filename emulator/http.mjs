// Small HTTP helpers shared by both listeners: CORS, JSON replies, body reading.

export const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
export const ALLOWED_HEADERS = 'authorization, content-type, x-api-key, x-andopen-tenant, x-andopen-client';
export const EXPOSED_HEADERS = 'Retry-After, WWW-Authenticate, Content-Type';
const MAX_BODY_BYTES = 1024 * 1024;

// Set on every response (before any status is written) so browsers and
// `wasm-pack test --headless` can read every answer, including errors and faults.
export function applyCors(res) {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

// Any OPTIONS request is treated as a CORS preflight: never counted, logged or faulted.
export function answerPreflight(req, res) {
  res.writeHead(204, {
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    // Echoing what the browser asks for keeps custom headers working without a list to maintain.
    'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || ALLOWED_HEADERS,
    'Access-Control-Max-Age': '600',
  });
  res.end();
}

export function sendJson(res, status, value, headers = {}) {
  const payload = JSON.stringify(value);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

// RFC 6749 §5.2 error shape, used by the auth listener and admin validation.
export function oauthError(error, description) {
  return description === undefined ? { error } : { error, error_description: description };
}

export class BodyTooLarge extends Error {}

export function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// "application/json; charset=utf-8" -> "application/json"
export function mediaType(req) {
  return (req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
}

export function sleep(ms) {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export function copyHeaders(req) {
  // Node already lowercases header names; copy so the log is not tied to the request object.
  return { ...req.headers };
}
