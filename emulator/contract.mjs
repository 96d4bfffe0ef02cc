// Constants fixed by the &Open contract (emulator/README.md, Routes) and the emulator's defaults.

// What `GET /` answers, as a JSON string.
export const BANNER = '& for Makers - The &Open API - v0.1.0 (dd35125:dd351258)';

export const DEFAULT_CREDENTIALS = Object.freeze({
  apiKey: 'emu-api-key',
  clientId: 'andopen_client_id_emulator',
  clientSecret: 'emu-client-secret',
});

export const DEFAULT_CONFIG = Object.freeze({
  tokenLifetimeSeconds: 3600,
  refreshTokens: true,
  rotateRefreshTokens: false,
  authLatencyMs: 0,
  apiLatencyMs: 0,
});
