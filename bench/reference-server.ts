/**
 * The ceiling to compare ingest against: bare node:http that reads and JSON.parses the body and
 * answers 200, no storage (perf-limits config A). Runs in a child process so it owns one core.
 */
import { spawn } from 'node:child_process';
import { freePort, readRss, trackChild } from './connector-process';

const SOURCE = `
const http = require('node:http');
http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try { JSON.parse(Buffer.concat(chunks).toString('utf8')); res.writeHead(200, {'content-type':'application/json'}); res.end('{"ok":true}'); }
    catch { res.writeHead(400); res.end(); }
  });
}).listen(Number(process.argv[1]), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

export async function startReferenceServer(): Promise<{ url: string; pid: number; stop(): Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', SOURCE, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  trackChild(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('reference server did not start in 10 s')), 10_000);
    child.stdout?.on('data', () => {
      clearTimeout(timer);
      resolve();
    });
    child.on('exit', (code) => reject(new Error(`reference server exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    async stop() {
      const peak = readRss(child.pid as number)?.peakMb ?? null;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      return peak;
    },
  };
}
