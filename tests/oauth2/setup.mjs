// The Node side of both runs: one oidc-provider + API (provider.mjs) with a client per scenario,
// distinctive secrets (with the characters RFC 6749 §2.3.1 makes the client form-urlencode), and
// the secret scan over everything the clients produced.
import { randomBytes } from "node:crypto";
import { closedPort, startOAuth2Env } from "./provider.mjs";
import { scenarios } from "./scenarios.mjs";

export async function startScenarioEnv(runtime) {
  const creds = {};
  for (const s of scenarios) {
    creds[s.id] = {
      // A space and a colon in the id, and ':', '/', '+', '&', '%', '=', '~' and a space in the
      // secret: the provider decodes them as RFC 6749 §2.3.1 says, so a wrong encoding fails.
      clientId: `e2e ${s.id}:${runtime}`,
      clientSecret: `S3CRET-${randomBytes(12).toString("hex")} :/+&%=~`,
      wrongSecret: `WR0NG-${randomBytes(12).toString("hex")} :/+&%=~`,
    };
  }
  const env = await startOAuth2Env({
    clients: scenarios.map((s) => ({ ...creds[s.id], ttl: s.ttl })),
  });
  const closedUrl = await closedPort();
  return {
    env,
    /** What a scenario needs, as plain JSON (it crosses into the Worker). */
    async ctxFor(scenario) {
      const refreshToken = scenario.refreshScope && (await env.mintRefreshToken(creds[scenario.id].clientId, { scope: scenario.refreshScope }));
      return {
        env: { tokenUrl: env.tokenUrl, apiUrl: env.apiUrl, resource: env.resource, controlUrl: env.controlUrl, closedUrl },
        creds: { ...creds[scenario.id], refreshToken },
        tag: `${scenario.id}-${runtime}`,
        runtime,
      };
    },
    /** Hits of any secret (or the random part of one), or of any token the provider issued. */
    secretScan(corpus) {
      const text = JSON.stringify(corpus);
      const needles = [];
      for (const { clientSecret, wrongSecret } of Object.values(creds)) {
        for (const s of [clientSecret, wrongSecret]) {
          needles.push(s, s.split(" ")[0].split("-")[1], encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2));
        }
      }
      const hits = needles.filter((n) => text.includes(n)).map((n) => `secret ${n.slice(0, 10)}… in client output`);
      for (const token of env.issued) if (text.includes(token)) hits.push(`issued token ${token.slice(0, 12)}… in client output`);
      return hits;
    },
    close: () => env.close(),
  };
}
