// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per package.
//
//   tsx bench/profile.ts <file.cpuprofile> [top]
//
// Self time of a node = the sampling intervals whose sample landed in it. "Package" groups
// functions by where their code lives: a node_modules package, the project's src/ folder,
// Node's internals, or V8's pseudo-nodes ((garbage collector), (program), (idle)).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Cost {
  name: string;
  /** Milliseconds of self time. */
  selfMs: number;
  /** Share of the busy (non-idle) time, percent. */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  /** Wall time covered by the profile, ms. */
  totalMs: number;
  /** Time not idle, ms. */
  busyMs: number;
  functions: Cost[];
  /** Self time by package. */
  packages: Cost[];
  /** Time with the package anywhere on the stack (what it costs including what it calls). */
  inclusive: Cost[];
  /** Self time charged to the nearest library frame up the stack (Node internals and native code count for their caller), by layer. */
  layers: Cost[];
}

/** The layers of the API a sample is charged to; anything else is its package's name. */
export function layerOf(pkg: string): string {
  if (pkg === '(garbage collector)') return 'garbage collection';
  if (/^(@prisma\/|pg$|pg-|wasm:)/.test(pkg)) return 'Prisma + pg driver';
  if (/^(graphql|@apollo\/|@graphql-tools\/|graphql-scalars|graphql-query-complexity|dataloader|@escape\.tech\/)/.test(pkg)) return 'GraphQL execution (graphql-js, Apollo, DataLoader)';
  // dist/ is src/ compiled (the API's default runtime in the bench).
  if (pkg.startsWith('src/') || pkg.startsWith('dist/')) return 'app code (src/)';
  if (pkg === 'node:internal' || pkg === '(native)' || pkg === '(program)') return 'Node runtime (http, net, promises)';
  return pkg;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** Where a function's code lives, as a short label. */
export function packageOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const file = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  const modules = file.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = file.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const relative = path.relative(ROOT, file);
  if (!relative.startsWith('..')) return relative.split('/').slice(0, 2).join('/');
  return file;
}

function label(frame: CallFrame): string {
  const file = frame.url ? frame.url.replace(`file://${ROOT}/`, '').replace(/^file:\/\/.*\/node_modules\//, '') : '';
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}:${frame.lineNumber + 1}` : ''}`;
}

/** Milliseconds from the start of the profile (about the process's start). */
export interface Window {
  fromMs: number;
  toMs: number;
}

/** `window`: only the samples taken within it (e.g. the load, without start-up and shutdown). */
export function summarizeProfile(file: string, top = 15, window?: Window): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  let elapsed = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    elapsed += delta;
    if (window && (elapsed / 1000 < window.fromMs || elapsed / 1000 > window.toMs)) continue;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    total += micros;
    if (frame.functionName === '(idle)') {
      idle += micros;
      continue;
    }
    const fn = label(frame);
    functions.set(fn, (functions.get(fn) ?? 0) + micros);
    const pkg = packageOf(frame);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
  }
  const busy = total - idle;
  // Inclusive: every sample counts once for each package on its stack.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackPackages = new Map<number, Set<string>>();
  const packagesOnStack = (id: number): Set<string> => {
    let set = stackPackages.get(id);
    if (set) return set;
    const up = parent.get(id);
    set = new Set(up === undefined ? [] : packagesOnStack(up));
    const frame = byId.get(id)!.callFrame;
    if (frame.url || frame.functionName.startsWith('(')) set.add(packageOf(frame));
    stackPackages.set(id, set);
    return set;
  };
  const inclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    for (const pkg of packagesOnStack(id)) inclusive.set(pkg, (inclusive.get(pkg) ?? 0) + micros);
  }
  inclusive.delete('(root)');
  // Layers: the nearest frame that is not Node's own or native code decides.
  const layerCache = new Map<number, string>();
  const layerAt = (id: number): string => {
    const cached = layerCache.get(id);
    if (cached) return cached;
    const frame = byId.get(id)!.callFrame;
    const pkg = packageOf(frame);
    let layer: string;
    if (pkg === 'node:internal' || pkg === '(native)' || pkg === '(program)' || pkg === '(root)') {
      const up = parent.get(id);
      const above = up === undefined ? undefined : layerAt(up);
      layer = above && above !== 'Node runtime (http, net, promises)' && above !== '(root)' ? above : layerOf(pkg === '(root)' ? 'node:internal' : pkg);
    } else {
      layer = layerOf(pkg);
    }
    layerCache.set(id, layer);
    return layer;
  };
  const layers = new Map<string, number>();
  for (const [id, micros] of self) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    const layer = layerAt(id);
    layers.set(layer, (layers.get(layer) ?? 0) + micros);
  }
  const rank = (map: Map<string, number>): Cost[] =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, selfMs: Math.round(micros / 100) / 10, percent: Math.round((micros / (busy || 1)) * 1000) / 10 }));
  return {
    file,
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    functions: rank(functions),
    packages: rank(packages),
    inclusive: rank(inclusive),
    layers: rank(layers),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top, from, to] = process.argv.slice(2);
  if (!file) {
    console.error('usage: tsx bench/profile.ts <file.cpuprofile> [top] [from-ms to-ms]');
    process.exit(2);
  }
  const summary = summarizeProfile(file, Number(top ?? 20), from && to ? { fromMs: Number(from), toMs: Number(to) } : undefined);
  console.log(`${summary.file}: ${summary.busyMs} ms busy of ${summary.totalMs} ms`);
  console.log('\nself time by package:');
  for (const c of summary.packages) console.log(`  ${c.percent.toFixed(1).padStart(5)}%  ${c.selfMs.toFixed(0).padStart(7)} ms  ${c.name}`);
  console.log('\nby layer:');
  for (const c of summary.layers) console.log(`  ${c.percent.toFixed(1).padStart(5)}%  ${c.selfMs.toFixed(0).padStart(7)} ms  ${c.name}`);
  console.log('\ntime with the package on the stack:');
  for (const c of summary.inclusive) console.log(`  ${c.percent.toFixed(1).padStart(5)}%  ${c.selfMs.toFixed(0).padStart(7)} ms  ${c.name}`);
  console.log('\nself time by function:');
  for (const c of summary.functions) console.log(`  ${c.percent.toFixed(1).padStart(5)}%  ${c.selfMs.toFixed(0).padStart(7)} ms  ${c.name}`);
}
