// The two OAuth2 grants, independent of how the request was encoded (JSON or form).
// Each returns { status, body, invalidClient? } for the caller to send.
import { oauthError } from './http.mjs';

const nonEmptyString = (v) => typeof v === 'string' && v !== '';

function tokenResponse(state, tenant, refreshToken) {
  const { tokenLifetimeSeconds } = state.config(tenant);
  const body = {
    token_type: 'bearer',
    expires_in: tokenLifetimeSeconds,
    access_token: state.tokens.issueAccess(tenant, tokenLifetimeSeconds),
  };
  if (refreshToken !== undefined) body.refresh_token = refreshToken;
  body.scope = null;
  return { status: 200, body };
}

// params: the request's fields; client: { clientId, clientSecret } however they were sent.
function clientCredentials(state, params, client) {
  const { tenant } = params;
  if (!nonEmptyString(tenant)) return { status: 400, body: oauthError('invalid_request', 'tenant is required') };
  const { clientId, clientSecret } = state.credentials;
  if (client.clientId !== clientId || client.clientSecret !== clientSecret) {
    return { status: 401, body: oauthError('invalid_client', 'client authentication failed'), invalidClient: true };
  }
  const refresh = state.config(tenant).refreshTokens ? state.tokens.issueRefresh(tenant) : undefined;
  return tokenResponse(state, tenant, refresh);
}

function refreshToken(state, params) {
  const { tenant, refresh_token: presented } = params;
  if (!nonEmptyString(presented)) return { status: 400, body: oauthError('invalid_request', 'refresh_token is required') };
  if (!nonEmptyString(tenant)) return { status: 400, body: oauthError('invalid_request', 'tenant is required') };
  // Same answer for unknown, used, revoked and other-tenant tokens: nothing to learn from the difference.
  if (state.tokens.refreshTenant(presented) !== tenant) {
    return { status: 400, body: oauthError('invalid_grant', 'refresh token is invalid, expired or revoked') };
  }
  const config = state.config(tenant);
  // Only rotate when a replacement can be handed out; otherwise the client would be stranded.
  if (config.refreshTokens && config.rotateRefreshTokens) {
    state.tokens.consumeRefresh(presented);
    return tokenResponse(state, tenant, state.tokens.issueRefresh(tenant));
  }
  // Without rotation the old refresh token stays valid and none is returned (RFC 6749 §6 allows this).
  return tokenResponse(state, tenant, undefined);
}

export function runGrant(state, params, client) {
  if (params.grant_type === 'client_credentials') return clientCredentials(state, params, client);
  if (params.grant_type === 'refresh_token') return refreshToken(state, params);
  return { status: 400, body: oauthError('unsupported_grant_type') };
}
