// Everything the emulator remembers: config, counters, tokens, faults, request log.
import { DEFAULT_CONFIG } from './contract.mjs';
import { createTokenStore } from './tokens.mjs';
import { createFaultQueue } from './faults.mjs';

// Kept per tenant as well as globally, so a burst in one test cannot push out another's log.
const LOG_LIMIT = 200;

function emptyCounters() {
  return {
    tokenRequests: { client_credentials: 0, refresh_token: 0, total: 0 },
    apiRequests: 0,
    unauthorized: 0,
    faultsServed: 0,
  };
}

// Returns the error message for an invalid config patch, or undefined when it is valid.
export function validateConfigPatch(patch) {
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in DEFAULT_CONFIG)) return `unknown config field: ${key}`;
    if (typeof DEFAULT_CONFIG[key] === 'boolean' && typeof value !== 'boolean') return `${key} must be a boolean`;
    if (typeof DEFAULT_CONFIG[key] === 'number' && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      return `${key} must be a non-negative number`;
    }
  }
  return undefined;
}

export function createState({ credentials, config = {} }) {
  const defaults = { ...DEFAULT_CONFIG, ...config };
  let globalConfig = { ...defaults };
  // Per-tenant overrides let parallel tests change e.g. rotation without disturbing each other.
  const tenantConfig = new Map();
  let globalCounters = emptyCounters();
  const tenantCounters = new Map();
  let log = [];
  const tenantLogs = new Map();

  const state = {
    credentials,
    tokens: createTokenStore(),
    faults: createFaultQueue(),

    config(tenant) {
      return { ...globalConfig, ...(tenant !== undefined ? tenantConfig.get(tenant) : undefined) };
    },

    updateConfig(patch, tenant) {
      if (tenant === undefined) globalConfig = { ...globalConfig, ...patch };
      else tenantConfig.set(tenant, { ...tenantConfig.get(tenant), ...patch });
      return state.config(tenant);
    },

    // Apply one counter update to the global counters and, when known, to the tenant's.
    count(tenant, update) {
      update(globalCounters);
      if (tenant === undefined) return;
      if (!tenantCounters.has(tenant)) tenantCounters.set(tenant, emptyCounters());
      update(tenantCounters.get(tenant));
    },

    counters(tenant) {
      const c = tenant === undefined ? globalCounters : tenantCounters.get(tenant) ?? emptyCounters();
      return structuredClone(c);
    },

    record(entry) {
      log.push(entry);
      if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
      if (entry.tenant !== undefined) {
        const own = tenantLogs.get(entry.tenant) ?? [];
        own.push(entry);
        if (own.length > LOG_LIMIT) own.shift();
        tenantLogs.set(entry.tenant, own);
      }
    },

    requests(tenant, limit) {
      const matching = tenant === undefined ? log : tenantLogs.get(tenant) ?? [];
      return matching.slice(-limit);
    },

    // With a tenant: forget that tenant only. Without: back to the state at startup.
    reset(tenant) {
      state.tokens.clear(tenant);
      state.faults.clear(tenant);
      if (tenant === undefined) {
        globalConfig = { ...defaults };
        tenantConfig.clear();
        globalCounters = emptyCounters();
        tenantCounters.clear();
        log = [];
        tenantLogs.clear();
      } else {
        tenantConfig.delete(tenant);
        tenantCounters.delete(tenant);
        log = log.filter((e) => e.tenant !== tenant);
        tenantLogs.delete(tenant);
      }
    },
  };
  return state;
}
