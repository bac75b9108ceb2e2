// A server for trying the survey and running a small study on one machine: this folder, the
// WebAssembly module under /bowlby/, and (with --collect DIR) POST /collect, which writes each
// submission to DIR as one JSON file.
//   node serve.mjs [--port 8080] [--wasm ../../build/wasm/web] [--collect data]
// Listens on 127.0.0.1 only: put a web server with HTTPS in front of it for a public study
// (docs/study.md).
import { createServer } from 'node:http';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const types = { '.html': 'text/html', '.mjs': 'text/javascript', '.js': 'text/javascript', '.cjs': 'text/javascript', '.css': 'text/css',
                '.json': 'application/json', '.svg': 'image/svg+xml', '.map': 'application/json' };
const maxBody = 10 * 1024 * 1024;

/// GET: this folder, and the module under /bowlby/ from wasmDir; paths must stay inside both.
export function staticHandler(wasmDir = join(here, '..', '..', 'build', 'wasm', 'web')) {
  return async (req, res) => {
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
  };
}

/// The body of a request, at most maxBody bytes (null when larger).
export function readBody(req) {
  return new Promise((ok, fail) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size <= maxBody) chunks.push(c); });
    req.on('end', () => ok(size <= maxBody ? Buffer.concat(chunks).toString('utf8') : null));
    req.on('error', fail);
  });
}

/// POST: stores a JSON body in dir as <time>-<random>.json; 400 for a body that is not JSON.
export function collectHandler(dir) {
  return async (req, res) => {
    const body = await readBody(req);
    try {
      if (body === null) throw new Error('too large');
      JSON.parse(body);
    } catch {
      res.writeHead(400).end('not JSON');
      return;
    }
    await mkdir(dir, { recursive: true });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.json`;
    await writeFile(join(dir, name), body);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"saved":true}');
  };
}

export function serve({ port = 8080, wasmDir, collectDir } = {}) {
  const get = staticHandler(wasmDir);
  const collect = collectDir ? collectHandler(collectDir) : null;
  const server = createServer((req, res) => {
    if (req.method === 'POST' && collect && new URL(req.url, 'http://localhost').pathname === '/collect') return collect(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
    return get(req, res);
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
  const collectDir = arg('--collect', undefined);
  const server = await serve({ port: Number(arg('--port', 8080)), wasmDir: arg('--wasm', undefined), collectDir });
  const base = `http://127.0.0.1:${server.address().port}/index.html`;
  console.log(`survey at ${base}?instrument=ecr${collectDir ? `&post=/collect (submissions go to ${resolve(collectDir)})` : ''}`);
}
