// The smallest real use: one client, one authenticated GET / through the wasm build.
// Run by scripts/demo.sh against the local emulator; reads its settings from the environment.
import { AndOpenClient, AndOpenError } from "../pkg/index.node.js";

const client = new AndOpenClient({
  apiKey: process.env.ANDOPEN_API_KEY ?? "emu-api-key",
  tenant: process.env.ANDOPEN_TENANT ?? "demo",
  clientId: process.env.ANDOPEN_CLIENT_ID ?? "andopen_client_id_emulator",
  clientSecret: process.env.ANDOPEN_CLIENT_SECRET ?? "emu-client-secret",
  authUrl: process.env.ANDOPEN_AUTH_URL ?? "http://127.0.0.1:4401",
  apiUrl: process.env.ANDOPEN_API_URL ?? "http://127.0.0.1:4402",
  onEvent: (event) => console.error("event:", JSON.stringify(event)),
});

try {
  console.log(await client.ping());
  const info = await client.tokenInfo();
  console.error(`token: expires ${new Date(info.expiresAt).toISOString()}, refresh token: ${info.hasRefreshToken}`);
} catch (error) {
  if (error instanceof AndOpenError) {
    console.error(`AndOpenError ${error.code} (status ${error.status}): ${error.message}`);
    process.exit(1);
  }
  throw error;
}
