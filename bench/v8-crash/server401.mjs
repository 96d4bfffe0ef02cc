// Always-401 API + a token endpoint. Run standalone (prints the port on stdout as JSON) or import.
import http from "node:http";

export function start401(port = 0) {
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.method === "POST" && req.url.endsWith("/auth/token")) {
        const body = JSON.stringify({ access_token: `t-${++n}`, token_type: "bearer", expires_in: 3600 });
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
        return res.end(body);
      }
      const body = '{"error":"invalid_token"}';
      res.writeHead(401, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        "www-authenticate": 'Bearer error="invalid_token"',
      });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ server, port: server.address().port, tokens: () => n })));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { port } = await start401(Number(process.env.PORT ?? 0));
  process.stdout.write(JSON.stringify({ port }) + "\n");
}
