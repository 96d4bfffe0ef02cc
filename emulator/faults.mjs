// Fault injection: a FIFO queue of scripted misbehaviours, and how each one is served.
import { STATUS_CODES } from 'node:http';
import { sleep } from './http.mjs';
import { BANNER } from './contract.mjs';

const TARGETS = ['token', 'api'];
const DROPS = ['before_headers', 'after_headers'];
const FIELDS = ['target', 'tenant', 'count', 'status', 'retryAfter', 'body', 'contentType', 'latencyMs', 'drop', 'tokenResponse'];

// Error codes a client would plausibly meet for each status; anything else is derived from the reason phrase.
const REASONS = {
  400: 'invalid_request',
  403: 'forbidden',
  404: 'not_found',
  429: 'rate_limited',
  500: 'server_error',
  502: 'bad_gateway',
  503: 'temporarily_unavailable',
  504: 'gateway_timeout',
};

function reasonFor(status, target) {
  if (status === 401) return target === 'token' ? 'invalid_client' : 'invalid_token';
  if (REASONS[status]) return REASONS[status];
  const phrase = STATUS_CODES[status] || `http_${status}`;
  return phrase.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

// A realistic-looking success body, used for "truncated" and partial writes; its tokens are never valid.
function sampleBody(target) {
  if (target === 'api') return JSON.stringify(BANNER);
  return JSON.stringify({
    token_type: 'bearer',
    expires_in: 3600,
    access_token: 'at_truncated_sample_token_value_not_valid',
    refresh_token: 'rt_truncated_sample_token_value_not_valid',
    scope: null,
  });
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNonNegativeNumber = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

// Returns { fault } or { error } (a message for a 400 answer to the admin call).
export function parseFault(input) {
  if (!isPlainObject(input)) return { error: 'fault must be a JSON object' };
  const unknown = Object.keys(input).filter((k) => !FIELDS.includes(k));
  if (unknown.length) return { error: `unknown field(s): ${unknown.join(', ')}` };
  const { target, tenant, count = 1, status, retryAfter, body, contentType, latencyMs, drop, tokenResponse } = input;
  if (!TARGETS.includes(target)) return { error: 'target must be "token" or "api"' };
  if (tenant !== undefined && (typeof tenant !== 'string' || tenant === '')) return { error: 'tenant must be a non-empty string' };
  if (!Number.isInteger(count) || count < 1) return { error: 'count must be a positive integer' };
  if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 599)) return { error: 'status must be an integer 200-599' };
  if (retryAfter !== undefined && typeof retryAfter !== 'string') return { error: 'retryAfter must be a string' };
  if (contentType !== undefined && typeof contentType !== 'string') return { error: 'contentType must be a string' };
  if (latencyMs !== undefined && !isNonNegativeNumber(latencyMs)) return { error: 'latencyMs must be a non-negative number' };
  if (drop !== undefined && !DROPS.includes(drop)) return { error: 'drop must be "before_headers" or "after_headers"' };
  if (tokenResponse !== undefined && !isPlainObject(tokenResponse)) return { error: 'tokenResponse must be an object' };
  if (tokenResponse !== undefined && target !== 'token') return { error: 'tokenResponse only applies to target "token"' };
  return { fault: { target, tenant, remaining: count, status, retryAfter, body, contentType, latencyMs, drop, tokenResponse } };
}

// A fault replaces the normal answer unless it only adds latency and/or overrides token fields.
export function replacesResponse(fault) {
  return fault.status !== undefined || fault.body !== undefined || fault.contentType !== undefined
    || fault.retryAfter !== undefined || fault.drop !== undefined;
}

export function createFaultQueue() {
  // One list in insertion order, so untenanted and tenanted faults stay FIFO relative to each other.
  let queue = [];
  const scoped = (f, tenant) => tenant === undefined || f.tenant === tenant;

  return {
    add(fault) {
      queue.push(fault);
    },

    // A tenanted fault matches only its tenant's requests; an untenanted one matches any request.
    take(target, tenant) {
      const index = queue.findIndex((f) => f.target === target && (f.tenant === undefined || f.tenant === tenant));
      if (index === -1) return undefined;
      const fault = queue[index];
      fault.remaining -= 1;
      if (fault.remaining === 0) queue.splice(index, 1);
      return fault;
    },

    // With a tenant: the faults queued for exactly that tenant; without: all of them.
    pending(tenant) {
      return queue.filter((f) => scoped(f, tenant)).reduce((n, f) => n + f.remaining, 0);
    },

    clear(tenant) {
      queue = queue.filter((f) => !scoped(f, tenant));
    },
  };
}

// Resolve the fault's body option to [payload, default content type].
function renderBody(fault, target, status) {
  const { body } = fault;
  if (body === undefined) return [JSON.stringify({ error: reasonFor(status, target) }), 'application/json'];
  if (body === 'html') {
    const title = `${status} ${STATUS_CODES[status] || 'Error'}`;
    return [`<!DOCTYPE html>\n<html><head><title>${title}</title></head><body><h1>${title}</h1><hr><p>nginx</p></body></html>\n`, 'text/html; charset=utf-8'];
  }
  if (body === 'empty') return ['', 'application/json'];
  if (body === 'truncated') {
    const full = sampleBody(target);
    return [full.slice(0, Math.floor(full.length / 2)), 'application/json'];
  }
  // Claims to be JSON but is not: unquoted value, trailing comma.
  if (body === 'malformed') return ['{"token_type": bearer, "access_token": at_oops,', 'application/json'];
  if (typeof body === 'string') return [body, 'text/plain; charset=utf-8'];
  return [JSON.stringify(body), 'application/json'];
}

// Serve a response-replacing fault. Latency has already been applied by the caller.
export function serveFault(req, res, fault, target) {
  if (fault.drop === 'before_headers') {
    req.socket.destroy();
    return;
  }
  // A body or a drop alone reads as a broken success; a bare Retry-After reads as overload.
  const status = fault.status
    ?? (fault.body !== undefined || fault.drop || fault.contentType !== undefined ? 200 : 503);
  const headers = {};
  if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
  if (status === 401 && target === 'api' && fault.body === undefined) {
    headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
  }

  if (fault.drop === 'after_headers') {
    const full = Buffer.from(fault.body !== undefined ? renderBody(fault, target, status)[0] : sampleBody(target));
    const sent = full.subarray(0, Math.floor(full.length / 2));
    headers['Content-Type'] = fault.contentType ?? 'application/json';
    // Promise more bytes than will ever arrive, so the client sees a body cut short.
    headers['Content-Length'] = Math.max(full.length, sent.length + 1);
    res.writeHead(status, headers);
    res.write(sent, () => res.destroy());
    return;
  }

  const [payload, defaultType] = renderBody(fault, target, status);
  headers['Content-Type'] = fault.contentType ?? defaultType;
  headers['Content-Length'] = Buffer.byteLength(payload);
  res.writeHead(status, headers);
  res.end(payload);
}

// Take the next matching fault (if any), count it, wait its latency.
// Returns { served: true } when the fault answered the request, else { fault } for pass-through ones.
export async function applyFault(state, target, tenant, req, res) {
  const fault = state.faults.take(target, tenant);
  if (!fault) return { served: false };
  state.count(tenant, (c) => { c.faultsServed += 1; });
  await sleep(fault.latencyMs ?? 0);
  if (!replacesResponse(fault)) return { served: false, fault };
  serveFault(req, res, fault, target);
  return { served: true };
}
