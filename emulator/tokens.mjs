// Issued access and refresh tokens, each remembering its tenant.
import { randomBytes } from 'node:crypto';

const randomToken = (prefix) => prefix + randomBytes(24).toString('base64url');
// Past this many live access tokens, sweep expired ones so long benchmarks do not grow memory forever.
const SWEEP_THRESHOLD = 10000;

export function createTokenStore(now = Date.now) {
  const access = new Map(); // token -> { tenant, expiresAt }
  const refresh = new Map(); // token -> { tenant }

  function sweepExpired() {
    const t = now();
    for (const [token, info] of access) if (info.expiresAt <= t) access.delete(token);
  }

  function deleteWhere(map, tenant) {
    let removed = 0;
    for (const [token, info] of map) {
      if (tenant === undefined || info.tenant === tenant) {
        map.delete(token);
        removed += 1;
      }
    }
    return removed;
  }

  return {
    issueAccess(tenant, lifetimeSeconds) {
      if (access.size >= SWEEP_THRESHOLD) sweepExpired();
      const token = randomToken('at_');
      access.set(token, { tenant, expiresAt: now() + lifetimeSeconds * 1000 });
      return token;
    },

    issueRefresh(tenant) {
      const token = randomToken('rt_');
      refresh.set(token, { tenant });
      return token;
    },

    // Valid = issued, not revoked, not expired, and issued for this tenant.
    isAccessValid(token, tenant) {
      const info = access.get(token);
      if (!info) return false;
      if (info.expiresAt <= now()) {
        access.delete(token);
        return false;
      }
      return info.tenant === tenant;
    },

    refreshTenant(token) {
      return refresh.get(token)?.tenant;
    },

    consumeRefresh(token) {
      refresh.delete(token);
    },

    revoke(tenant, { refreshTokens = false } = {}) {
      return {
        accessTokens: deleteWhere(access, tenant),
        refreshTokens: refreshTokens ? deleteWhere(refresh, tenant) : 0,
      };
    },

    clear(tenant) {
      deleteWhere(access, tenant);
      deleteWhere(refresh, tenant);
    },
  };
}
