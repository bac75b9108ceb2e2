// A static file server for the survey: this folder, plus the WebAssembly module under /bowlby/.
//   node serve.mjs [--port 8080] [--wasm ../../build/wasm/web]
// Listens on 127.0.0.1 only.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.cjs': 'text/javascript', '.css': 'text/css',
                '.json': 'application/json', '.svg': 'image/svg+xml', '.map': 'application/json' };

export function serve({ port = 8080, wasmDir = join(here, '..', '..', 'build', 'wasm', 'web') } = {}) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    const [root, rest] = path.startsWith('/bowlby/') ? [resolve(wasmDir), path.slice('/bowlby/'.length)] : [here, path.slice(1) || 'index.html'];
    const file = normalize(join(root, rest));
    if (!file.startsWith(root + sep)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
  const server = await serve({ port: Number(arg('--port', 8080)), wasmDir: arg('--wasm', undefined) });
  console.log(`survey at http://127.0.0.1:${server.address().port}/index.html?instrument=ecr`);
}
