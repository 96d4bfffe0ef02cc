// Entry point: starts the auth and API listeners of the &Open emulator.
// Library use: `await startEmulator({ authPort: 0, apiPort: 0 })`. CLI: `node emulator/server.mjs`.
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { DEFAULT_CREDENTIALS } from './contract.mjs';
import { BodyTooLarge, answerPreflight, applyCors, readBody, sendJson } from './http.mjs';
import { createState } from './state.mjs';
import { handleAdmin, isAdminPath } from './admin.mjs';
import { handleAuth } from './auth.mjs';
import { handleApi } from './api.mjs';

function createListener(name, state, handle) {
  return createServer(async (req, res) => {
    applyCors(res);
    if (req.method === 'OPTIONS') return answerPreflight(req, res);
    try {
      const raw = await readBody(req);
      const url = new URL(req.url, 'http://emulator.invalid');
      const context = { url, raw };
      if (isAdminPath(url.pathname, name)) return handleAdmin(state, req, res, context);
      return await handle(state, req, res, context);
    } catch (err) {
      if (res.headersSent || res.destroyed) return res.destroy();
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: 'request_too_large' });
      console.error(`[emulator:${name}]`, err);
      return sendJson(res, 500, { error: 'server_error' });
    }
  });
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(`http://${host}:${server.address().port}`);
    });
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets would otherwise hold close() open for seconds.
    server.closeAllConnections();
  });
}

/**
 * options: { host = '127.0.0.1', authPort = 4401, apiPort = 4402, apiKey, clientId, clientSecret,
 *            config: initial config (also what a global reset returns to) }
 */
export async function startEmulator(options = {}) {
  const { host = '127.0.0.1', authPort = 4401, apiPort = 4402, config = {} } = options;
  const credentials = {
    apiKey: options.apiKey ?? DEFAULT_CREDENTIALS.apiKey,
    clientId: options.clientId ?? DEFAULT_CREDENTIALS.clientId,
    clientSecret: options.clientSecret ?? DEFAULT_CREDENTIALS.clientSecret,
  };
  const state = createState({ credentials, config });
  const authServer = createListener('auth', state, handleAuth);
  const apiServer = createListener('api', state, handleApi);
  try {
    const authUrl = await listen(authServer, authPort, host);
    const apiUrl = await listen(apiServer, apiPort, host);
    return {
      authUrl,
      apiUrl,
      state,
      close: () => Promise.all([closeServer(authServer), closeServer(apiServer)]).then(() => undefined),
    };
  } catch (err) {
    await Promise.all([closeServer(authServer), closeServer(apiServer)]).catch(() => {});
    throw err;
  }
}

function portFromEnv(name, fallback) {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${value}"`);
  return port;
}

async function main() {
  const emulator = await startEmulator({
    authPort: portFromEnv('ANDOPEN_EMULATOR_AUTH_PORT', 4401),
    apiPort: portFromEnv('ANDOPEN_EMULATOR_API_PORT', 4402),
    apiKey: process.env.ANDOPEN_EMULATOR_API_KEY || undefined,
    clientId: process.env.ANDOPEN_EMULATOR_CLIENT_ID || undefined,
    clientSecret: process.env.ANDOPEN_EMULATOR_CLIENT_SECRET || undefined,
  });
  console.log(`auth: ${emulator.authUrl}`);
  console.log(`api: ${emulator.apiUrl}`);
  const stop = () => emulator.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
