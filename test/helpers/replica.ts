// A private PostgreSQL primary with a streaming replica, started by the test on two free ports:
// initdb, then pg_basebackup -R for the replica. Never the machine's own server. As root (CI)
// the binaries run as the postgres user (runuser, no terminal needed); as anyone else, as that
// user. The binaries: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin. Missing
// binaries fail the test with a message: it does not skip.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

function binDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (fs.existsSync(path.join(dir, 'initdb'))) return dir;
  } catch {
    // not on PATH
  }
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((x, y) => Number(y) - Number(x));
  if (!versions[0]) throw new Error('The replica tests need PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): none found by pg_config --bindir or under /usr/lib/postgresql/*/bin');
  return path.join(root, versions[0], 'bin');
}

export interface PrivateCluster {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  /** Without blocking this process (requests keep flowing meanwhile). */
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  close(): void;
}

/** Starts both servers with database `name` created on the primary (and so on the replica). */
export async function startPrimaryWithReplica(name: string): Promise<PrivateCluster> {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) =>
    execFileSync(asRoot ? 'runuser' : path.join(bin, tool), asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      timeout: 120_000,
    });
  const runAsync = async (tool: string, args: string[]) => {
    await promisify(execFile)(asRoot ? 'runuser' : path.join(bin, tool), asRoot ? ['-u', 'postgres', '--', path.join(bin, tool), ...args] : args, { timeout: 120_000 });
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-replica-'));
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  // Sockets in the private folder; TCP on 127.0.0.1 only; small, quick to start and stop.
  const options = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=16MB -c max_connections=60 -c fsync=off`;
  const pgCtl = (data: string, port: number, action: 'start' | 'stop') =>
    action === 'start'
      ? run('pg_ctl', ['-D', data, '-o', options(port), '-l', `${data}.log`, '-w', '-t', '60', 'start'])
      : run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  let primaryUp = false;
  let replicaUp = false;
  const close = () => {
    for (const [up, data] of [[replicaUp, replicaDir], [primaryUp, primaryDir]] as const) {
      if (up) {
        try {
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already stopped
        }
      }
    }
    replicaUp = primaryUp = false;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', primaryDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    pgCtl(primaryDir, primaryPort, 'start');
    primaryUp = true;
    run('psql', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
    run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync']);
    pgCtl(replicaDir, replicaPort, 'start');
    replicaUp = true;
  } catch (error) {
    const logs = [primaryDir, replicaDir].map((d) => (fs.existsSync(`${d}.log`) ? fs.readFileSync(`${d}.log`, 'utf8').slice(-2000) : '')).join('\n');
    close();
    throw new Error(`Starting a private primary and replica failed: ${(error as Error).message}\n${logs}`);
  }
  return {
    primaryUrl: `postgresql://postgres@127.0.0.1:${primaryPort}/${name}`,
    replicaUrl: `postgresql://postgres@127.0.0.1:${replicaPort}/${name}`,
    async stopReplica() {
      await runAsync('pg_ctl', ['-D', replicaDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      replicaUp = false;
    },
    async startReplica() {
      await runAsync('pg_ctl', ['-D', replicaDir, '-o', options(replicaPort), '-l', `${replicaDir}.log`, '-w', '-t', '60', 'start']);
      replicaUp = true;
    },
    close,
  };
}
