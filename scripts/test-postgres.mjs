// A throwaway PostgreSQL cluster for the tests: initdb in a temp folder, started on a free
// port with fsync off, stopped and deleted after. PostgreSQL refuses to run as root, so as root
// the server runs as the `postgres` system user (created when missing). Debian's
// postgresql-15 is installed when its binaries are missing and we may install packages.
//   node scripts/test-postgres.mjs start   → prints the URL and the folder to stop
//   node scripts/test-postgres.mjs stop DIR
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATE_BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
const SERVER_USER = 'postgres';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function findBinDir() {
  const fromEnv = process.env.DRCTL_PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  return CANDIDATE_BIN_DIRS.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

function installPostgres() {
  if (!isRoot) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'ignore', env });
  const result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-15'], {
    stdio: 'ignore',
    env,
  });
  if (result.status !== 0) throw new Error('apt-get install -y postgresql-15 failed');
}

function ensureServerUser() {
  if (spawnSync('id', ['-u', SERVER_USER], { stdio: 'ignore' }).status === 0) return;
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVER_USER]);
}

function userIds(name) {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Runs a PostgreSQL binary, as the server user when we are root. */
function runAsServer(binary, args) {
  const command = isRoot ? 'runuser' : binary;
  const argv = isRoot ? ['-u', SERVER_USER, '--', binary, ...args] : args;
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${binary.split('/').pop()} ${args[0] ?? ''} failed (exit ${result.status}): ${(result.stderr || result.stdout || String(result.error)).trim()}`,
    );
  }
  return result.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a cluster; returns { url, dir }. Throws an Error saying why it could not. */
export async function startTestPostgres() {
  let bin = findBinDir();
  if (!bin) {
    installPostgres();
    bin = findBinDir();
  }
  if (!bin) {
    throw new Error(
      `PostgreSQL binaries not found in ${CANDIDATE_BIN_DIRS.join(', ')} (install postgresql-15, or set DRCTL_PG_BIN)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'drctl-pg-'));
  const data = join(dir, 'data');
  if (isRoot) {
    ensureServerUser();
    const { uid, gid } = userIds(SERVER_USER);
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  runAsServer(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  // A port probed free can be taken before the server binds it: try a few.
  let lastError;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses='127.0.0.1'",
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=300',
      '-c shared_buffers=32MB',
    ].join(' ');
    try {
      runAsServer(join(bin, 'pg_ctl'), [
        'start',
        '-D',
        data,
        '-w',
        '-t',
        '60',
        '-l',
        join(dir, 'server.log'),
        '-o',
        options,
      ]);
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      writeFileSync(join(dir, 'url'), url);
      return { url, dir };
    } catch (error) {
      lastError = error;
    }
  }
  const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000) : '';
  stopTestPostgres(dir);
  throw new Error(`PostgreSQL did not start: ${lastError?.message}\n${log}`);
}

/** Stops the cluster in `dir` (immediately: it is thrown away) and deletes the folder. */
export function stopTestPostgres(dir) {
  const bin = findBinDir();
  if (bin && existsSync(join(dir, 'data', 'postmaster.pid'))) {
    try {
      runAsServer(join(bin, 'pg_ctl'), ['stop', '-D', join(dir, 'data'), '-m', 'immediate', '-w']);
    } catch {
      // Already stopped.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [command, dir] = process.argv.slice(2);
  if (command === 'start') {
    const started = await startTestPostgres();
    process.stdout.write(`${started.url}\n${started.dir}\n`);
  } else if (command === 'stop' && dir) {
    stopTestPostgres(dir);
  } else {
    process.stderr.write('usage: node scripts/test-postgres.mjs start | stop DIR\n');
    process.exit(2);
  }
}
