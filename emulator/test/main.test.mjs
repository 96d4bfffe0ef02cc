import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../server.mjs', import.meta.url));

test('running as main prints two lines and exits cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [SERVER], {
    env: { ...process.env, ANDOPEN_EMULATOR_AUTH_PORT: '0', ANDOPEN_EMULATOR_API_PORT: '0', ANDOPEN_EMULATOR_API_KEY: 'main-key' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8');
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.split('\n').length > 2) resolve();
    });
    child.once('exit', () => reject(new Error(`exited early: ${output}`)));
  });
  const lines = output.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^auth: http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(lines[1], /^api: http:\/\/127\.0\.0\.1:\d+$/);
  const apiUrl = lines[1].slice('api: '.length);
  // The env api key is in effect.
  assert.equal((await fetch(`${apiUrl}/`, { headers: { 'x-api-key': 'main-key' } })).status, 401);
  assert.equal((await fetch(`${apiUrl}/`, { headers: { 'x-api-key': 'emu-api-key' } })).status, 403);

  child.kill('SIGTERM');
  const [code, signal] = await once(child, 'exit');
  assert.equal(signal, null);
  assert.equal(code, 0);
});
