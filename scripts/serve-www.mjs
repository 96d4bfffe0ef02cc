// A tiny static server for the demo page (node:http, no dependencies): www/ at /, pkg/ at /pkg/,
// and /config.json telling the page where the &Open emulator listens.
//
// CLI:     node scripts/serve-www.mjs            (WWW_PORT, default 8080; ANDOPEN_AUTH_URL / ANDOPEN_API_URL)
// Library: const { url, close } = await serveWww({ port: 0, authUrl, apiUrl })
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DEFAULT_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}

// Maps a URL path to a file under `base`, refusing anything that climbs out of it.
function fileUnder(base, relative) {
  const path = normalize(join(base, relative));
  return path === base || path.startsWith(base + sep) ? path : undefined;
}

/**
 * options: { port = 8080, host = '127.0.0.1', root = the repository root (holding www/ and pkg/),
 *            authUrl, apiUrl (default: env ANDOPEN_AUTH_URL / ANDOPEN_API_URL, else 127.0.0.1:4401 / :4402) }
 * Resolves with { url, close() }.
 */
export async function serveWww(options = {}) {
  const { port = 8080, host = '127.0.0.1' } = options;
  const root = resolve(options.root ?? DEFAULT_ROOT);
  const www = join(root, 'www');
  const pkg = join(root, 'pkg');
  const config = JSON.stringify({
    authUrl: options.authUrl ?? process.env.ANDOPEN_AUTH_URL ?? 'http://127.0.0.1:4401',
    apiUrl: options.apiUrl ?? process.env.ANDOPEN_API_URL ?? 'http://127.0.0.1:4402',
  });

  const server = createServer(async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://www.invalid').pathname);
    } catch {
      return send(res, 400, 'bad request\n');
    }
    if (pathname === '/config.json') return send(res, 200, config, TYPES['.json']);
    const file = pathname.startsWith('/pkg/')
      ? fileUnder(pkg, pathname.slice('/pkg/'.length))
      : fileUnder(www, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (!file) return send(res, 403, 'forbidden\n');
    try {
      if (!(await stat(file)).isFile()) return send(res, 404, 'not found\n');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') {
        const hint = pathname.startsWith('/pkg/') ? ' (build the package first: bash scripts/build-pkg.sh)' : '';
        return send(res, 404, `not found${hint}\n`);
      }
      return send(res, 500, 'server error\n');
    }
  });

  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      done();
    });
  });
  const url = `http://${host}:${server.address().port}/`;
  const close = () => new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
  return { url, close };
}

async function main() {
  const raw = process.env.WWW_PORT;
  const port = raw === undefined || raw === '' ? 8080 : Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`WWW_PORT must be a port number, got "${raw}"`);
  const { url, close } = await serveWww({ port });
  console.log(`demo page: ${url}`);
  const stop = () => close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
