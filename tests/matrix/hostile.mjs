// Small hostile HTTP servers for the security scenarios (security.mjs): the parts the emulator
// cannot play. Each scenario gets an id; everything under /t/<id>/ follows that id's config
// (POST /__hostile/config) and is recorded (GET /__hostile/records?id=). Start two of them and
// they are two origins: one the client is configured for, one it must never send credentials to.
//
// config = {
//   token: { mode: "normal" | "same" | "redirect" | "status" | "big", status, location, body, bytes }
//   api:   { mode: "ok" | "401-until-tokens" | "always-401-echo" | "redirect" | "big" | "drip",
//            tokens, status, location, bytes }
// }
import { createServer } from "node:http";

export async function startHostile(name) {
  const configs = new Map();
  const records = new Map();
  const issued = new Map(); // id -> every token text this server handed out
  let tokenSerial = 0;

  const record = (id, entry) => {
    if (!records.has(id)) records.set(id, []);
    records.get(id).push(entry);
  };

  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url, "http://x");
      const body = Buffer.concat(chunks).toString("utf8");
      if (url.pathname === "/__hostile/config") {
        const { id, ...config } = JSON.parse(body);
        configs.set(id, config);
        records.set(id, []);
        issued.set(id, []);
        return send(res, 200, { ok: true });
      }
      if (url.pathname === "/__hostile/records") {
        const id = url.searchParams.get("id");
        return send(res, 200, { records: records.get(id) ?? [], issued: issued.get(id) ?? [] });
      }
      const match = /^\/t\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (!match) return send(res, 404, { error: "not_found" });
      const [, id, rest = "/"] = match;
      record(id, { server: name, method: req.method, path: url.pathname, query: url.search, headers: req.headers, body: body.slice(0, 4096), bodyLength: body.length });
      const config = configs.get(id) ?? {};
      const counts = (records.get(id) ?? []).filter((r) => r.server === name);
      if (rest.endsWith("/auth/token")) return token(id, config.token ?? { mode: "normal" }, res);
      return api(id, config.api ?? { mode: "ok" }, req, res, counts.filter((r) => !r.path.endsWith("/auth/token")).length);
    });
  });

  function token(id, t, res) {
    const fresh = () => {
      const text = t.mode === "same" ? `SAME-TOKEN-${id}` : `hostile-at-${id}-${++tokenSerial}-${Math.random().toString(36).slice(2)}`;
      issued.get(id)?.push(text);
      return { access_token: text, token_type: "bearer", expires_in: t.expiresIn ?? 3600 };
    };
    switch (t.mode) {
      case "redirect":
        res.writeHead(t.status, { location: t.location, "content-type": "application/json" });
        return res.end(JSON.stringify(fresh()));
      case "status":
        return send(res, t.status, t.body ?? {});
      case "big": {
        // A token response of `bytes` bytes: a valid token object padded with a long field.
        // `declared`: with a Content-Length (the client then refuses it without reading).
        const head = JSON.stringify(fresh()).slice(0, -1) + ',"pad":"';
        const length = t.declared ? { "content-length": String(Buffer.byteLength(head) + t.bytes + 2) } : {};
        res.writeHead(200, { "content-type": "application/json", ...length });
        return stream(res, head, t.bytes, '"}');
      }
      default:
        return send(res, 200, fresh());
    }
  }

  function api(id, a, req, res, n) {
    switch (a.mode) {
      case "401-until-tokens": {
        // Refuses every call until `a.tokens` tokens were handed out: what a server that revoked
        // a token and re-issues the same text looks like to a storm of concurrent calls.
        // The refusals are spread over `a.spreadMs`, so some reach the client after it renewed.
        const served = issued.get(id)?.length ?? 0;
        if (served >= a.tokens) return send(res, 200, { ok: true, n });
        return setTimeout(() => send(res, 401, { error: "invalid_token" }), ((n * 37) % 10) * ((a.spreadMs ?? 0) / 10));
      }
      case "always-401-echo": {
        // Echoes every bearer token it has seen for this id (the current one and older ones).
        const seen = [...new Set((records.get(id) ?? []).map((r) => r.headers.authorization).filter(Boolean))];
        return send(res, 401, { error: "invalid_token", error_description: `refused: ${seen.join(" ; ")}` });
      }
      case "redirect":
        // `times`: redirect only the first that many calls, then answer like "ok".
        if (a.times !== undefined && n > a.times) return send(res, 200, { ok: true, path: req.url, method: req.method });
        res.writeHead(a.status, { location: a.location });
        return res.end();
      case "big": {
        res.writeHead(a.status ?? 200, { "content-type": "application/json" });
        return stream(res, '{"pad":"', a.bytes, '"}');
      }
      case "drip": {
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("x");
        const timer = setInterval(() => res.write("x"), 200);
        const stop = () => clearInterval(timer);
        res.on("close", stop);
        req.on("close", stop);
        return undefined;
      }
      default:
        return send(res, 200, { ok: true, path: req.url, method: req.method });
    }
  }

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

function send(res, status, json) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(json));
}

// Writes head + `bytes` filler + tail, 64 KB at a time, stopping if the client goes away.
function stream(res, head, bytes, tail) {
  const chunk = "a".repeat(65536);
  let left = bytes;
  res.write(head);
  const pump = () => {
    while (left > 0) {
      const piece = left >= chunk.length ? chunk : chunk.slice(0, left);
      left -= piece.length;
      if (!res.write(piece)) return res.once("drain", pump);
    }
    res.end(tail);
  };
  res.on("close", () => { left = 0; });
  pump();
}
