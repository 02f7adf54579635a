// `npm run import -- ...`: import files, folders, Hugging Face days and arXiv queries into the
// database of DATABASE_URL (or the embedded one in DATA_DIR), migrations applied first.
// Progress and per-input results go to stderr, the summary to stdout.
// Exit code: 0 when every input imported, 1 otherwise (a rejected input, bad arguments).
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type SourcesConfig } from '../config.ts';
import { openDatabase } from '../platform/db/open.ts';
import { DEFAULT_ARXIV_API_URL, DEFAULT_ARXIV_DELAY_MS, DEFAULT_HF_API_URL, DEFAULT_HF_DELAY_MS, daysBetween, importArxivQuery, importHfDays, isoWeekDays, monthDays } from '../catalog/import/fetchers.ts';
import { formatSummary, importFiles, summarize, type ImportSummary, type SourceSummary } from '../catalog/import/importer.ts';
import { DEFAULT_ARXIV_OAI_URL, DEFAULT_OAI_DELAY_MS, DEFAULT_OAI_MAX_PAGE_BYTES, harvestOai, OaiHarvestError, type OaiHarvestResult } from '../catalog/import/oai/harvest.ts';
import { parseDay } from '../catalog/import/normalize.ts';
import { createProgress, silentProgress } from '../catalog/import/progress.ts';
import { formatSnapshotReport, importCitationSnapshot, type SnapshotKind } from '../catalog/citation-graph/index.ts';

export const USAGE = `Usage: npm run import -- [options] [<file or folder> ...]

Imports Hugging Face daily-papers responses (JSON) and arXiv API responses (Atom XML), the
format told by each file's content. A folder stands for the files in it. Each file (or fetched
response) is checked whole, then written in one transaction: a bad one is rejected with the
entry and field at fault, and nothing from it is kept; the others still import.

Live sources:
  --hf-date YYYY-MM-DD            Hugging Face daily papers of one day
  --hf-from YYYY-MM-DD --hf-to YYYY-MM-DD
                                  ... of every day of a range (both included)
  --hf-week YYYY-Www              ... of every day of an ISO week (Monday to Sunday)
  --hf-month YYYY-MM              ... of every day of a month
  --arxiv "<search_query>"        arXiv papers matching a query, e.g. "cat:cs.CV AND ti:diffusion"
  --arxiv-max N                   at most N arXiv papers (default 100)
  --arxiv-page-size N             papers per arXiv request (default 100)
  --oai-set SET                   harvest arXiv's OAI-PMH interface (metadataPrefix=arXiv) for
                                  one set, e.g. cs, following resumption tokens; an unfinished
                                  harvest of the set resumes after its last complete page
  --from YYYY-MM-DD               ... records changed on or after this day (default: the last
                                  datestamp of the set's last completed harvest)
  --until YYYY-MM-DD              ... and on or before this day

Citation graph (JSON Lines, plain or .gz; each flag's files are one snapshot, one transaction,
replacing that source's previous one; the same files again change nothing; papers first):
  --s2-papers FILE                Semantic Scholar papers dataset (corpusid, externalids, counts);
                                  repeat the flag for each file, as for the two below
  --s2-citations FILE             Semantic Scholar citations dataset (citingcorpusid, citedcorpusid, ...)
  --openalex-works FILE           OpenAlex works snapshot part files (id, doi, referenced_works, ...)

Where and how fast:
  --hf-url URL                    Hugging Face base URL (env HF_API_URL; default ${DEFAULT_HF_API_URL})
  --arxiv-url URL                 arXiv API base URL (env ARXIV_API_URL; default ${DEFAULT_ARXIV_API_URL})
  --hf-delay-ms MS                least time between Hugging Face requests (env HF_DELAY_MS; default ${DEFAULT_HF_DELAY_MS})
  --arxiv-delay-ms MS             least time between arXiv requests (env ARXIV_DELAY_MS; default ${DEFAULT_ARXIV_DELAY_MS}, as arXiv asks)
  --oai-url URL                   OAI-PMH base URL (env ARXIV_OAI_URL; default ${DEFAULT_ARXIV_OAI_URL})
  --oai-delay-ms MS               least time between OAI-PMH requests (env ARXIV_OAI_DELAY_MS; default ${DEFAULT_OAI_DELAY_MS})
  (env only) ARXIV_OAI_MAX_PAGE_BYTES  most bytes of one OAI-PMH page (default ${DEFAULT_OAI_MAX_PAGE_BYTES}): a larger one is
                                  cut off and fails the harvest there, nothing of it written

Other:
  --quiet                         no progress on stderr (the summary is still printed)
  -h, --help                      this text

Database: DATABASE_URL, else the embedded database in DATA_DIR (default .data).
Exit code: 0 when every input imported, 1 otherwise.

Examples:
  npm run import -- ../shared/data/hf-daily-papers ../shared/data/arxiv-atom
  npm run import -- --hf-week 2026-W30
  npm run import -- --arxiv "cat:cs.RO" --arxiv-max 300
  npm run import -- --oai-set cs --from 2026-11-01`;

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface CliPlan {
  paths: string[];
  hfDays: string[];
  arxivQuery?: string | undefined;
  arxivMax: number;
  arxivPageSize: number;
  hfUrl: string;
  arxivUrl: string;
  hfDelayMs: number;
  arxivDelayMs: number;
  oaiSet?: string | undefined;
  oaiFrom?: string | undefined;
  oaiUntil?: string | undefined;
  oaiUrl: string;
  oaiDelayMs: number;
  /** ARXIV_OAI_MAX_PAGE_BYTES; undefined: the harvester's default. */
  oaiMaxPageBytes?: number | undefined;
  /** Citation snapshots, in the order they import (S2 papers before S2 citations). */
  citations: { kind: SnapshotKind; files: string[] }[];
  quiet: boolean;
  help: boolean;
}

type Env = Record<string, string | undefined>;

/**
 * Arguments and environment to a plan; throws UsageError (or ConfigError for the environment,
 * which src/config.ts reads, as for every command).
 */
export function parseCli(argv: readonly string[], env: Env = process.env): CliPlan {
  return planOf(argv, loadConfig(env).sources);
}

function planOf(argv: readonly string[], sources: SourcesConfig): CliPlan {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        'hf-date': { type: 'string', multiple: true },
        'hf-from': { type: 'string' },
        'hf-to': { type: 'string' },
        'hf-week': { type: 'string', multiple: true },
        'hf-month': { type: 'string', multiple: true },
        arxiv: { type: 'string' },
        'arxiv-max': { type: 'string' },
        'arxiv-page-size': { type: 'string' },
        'hf-url': { type: 'string' },
        'arxiv-url': { type: 'string' },
        'hf-delay-ms': { type: 'string' },
        'arxiv-delay-ms': { type: 'string' },
        'oai-set': { type: 'string' },
        from: { type: 'string' },
        until: { type: 'string' },
        'oai-url': { type: 'string' },
        'oai-delay-ms': { type: 'string' },
        's2-papers': { type: 'string', multiple: true },
        's2-citations': { type: 'string', multiple: true },
        'openalex-works': { type: 'string', multiple: true },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const days = (fn: () => string[]) => {
    try {
      return fn();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const hfDays: string[] = [];
  for (const day of values['hf-date'] ?? []) {
    if (!parseDay(day)) throw new UsageError(`--hf-date expects a day YYYY-MM-DD; got "${day}"`);
    hfDays.push(day);
  }
  const from = values['hf-from'];
  const to = values['hf-to'];
  if ((from === undefined) !== (to === undefined)) throw new UsageError('--hf-from and --hf-to go together');
  if (from !== undefined && to !== undefined) hfDays.push(...days(() => daysBetween(from, to)));
  for (const week of values['hf-week'] ?? []) hfDays.push(...days(() => isoWeekDays(week)));
  for (const month of values['hf-month'] ?? []) hfDays.push(...days(() => monthDays(month)));

  const oaiSet = values['oai-set']?.trim();
  if (values['oai-set'] !== undefined && !oaiSet) throw new UsageError('--oai-set expects an OAI set, e.g. --oai-set cs');
  for (const name of ['from', 'until'] as const) {
    const day = values[name];
    if (day === undefined) continue;
    if (!oaiSet) throw new UsageError(`--${name} goes with --oai-set`);
    if (!parseDay(day)) throw new UsageError(`--${name} expects a day YYYY-MM-DD; got "${day}"`);
  }
  if (values.from !== undefined && values.until !== undefined && values.from > values.until) throw new UsageError(`--until (${values.until}) is before --from (${values.from})`);
  const arxivQuery = values.arxiv?.trim();
  if (values.arxiv !== undefined && !arxivQuery) throw new UsageError('--arxiv expects a search query, e.g. --arxiv "cat:cs.CV"');
  const plan: CliPlan = {
    paths: positionals,
    hfDays: [...new Set(hfDays)],
    arxivQuery,
    arxivMax: count('--arxiv-max', values['arxiv-max'], 100, 1),
    arxivPageSize: count('--arxiv-page-size', values['arxiv-page-size'], 100, 1),
    hfUrl: httpUrl('--hf-url', values['hf-url']) ?? sources.hfApiUrl ?? DEFAULT_HF_API_URL,
    arxivUrl: httpUrl('--arxiv-url', values['arxiv-url']) ?? sources.arxivApiUrl ?? DEFAULT_ARXIV_API_URL,
    hfDelayMs: count('--hf-delay-ms', values['hf-delay-ms'], sources.hfDelayMs ?? DEFAULT_HF_DELAY_MS, 0),
    arxivDelayMs: count('--arxiv-delay-ms', values['arxiv-delay-ms'], sources.arxivDelayMs ?? DEFAULT_ARXIV_DELAY_MS, 0),
    oaiSet,
    oaiFrom: values.from,
    oaiUntil: values.until,
    oaiUrl: httpUrl('--oai-url', values['oai-url']) ?? sources.oaiUrl ?? DEFAULT_ARXIV_OAI_URL,
    oaiDelayMs: count('--oai-delay-ms', values['oai-delay-ms'], sources.oaiDelayMs ?? DEFAULT_OAI_DELAY_MS, 0),
    oaiMaxPageBytes: sources.oaiMaxPageBytes,
    citations: (['s2-papers', 's2-citations', 'openalex-works'] as const)
      .filter((kind) => (values[kind]?.length ?? 0) > 0)
      .map((kind) => ({ kind, files: values[kind]! })),
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  };
  if (!plan.help && plan.paths.length === 0 && plan.hfDays.length === 0 && !plan.arxivQuery && !plan.oaiSet && plan.citations.length === 0) {
    throw new UsageError('nothing to import: name files or folders, or use --hf-date, --hf-from/--hf-to, --hf-week, --hf-month, --arxiv, --oai-set, --s2-papers, --s2-citations or --openalex-works');
  }
  return plan;
}

function count(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min) throw new UsageError(`${name} must be a whole number of at least ${min}; got "${raw}"`);
  return n;
}

function httpUrl(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^https?:\/\/[^\s/]+/.test(raw)) throw new UsageError(`${name} must be an http:// or https:// URL; got "${raw.slice(0, 40)}"`);
  return raw;
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream;
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[], env: Env = process.env, io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let plan: CliPlan;
  let config;
  try {
    config = loadConfig(env);
    plan = planOf(argv, config.sources);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      io.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (plan.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const progress = plan.quiet ? silentProgress : createProgress({ stream: io.stderr });
  const database = await openDatabase(config);
  try {
    const parts: ImportSummary[] = [];
    if (plan.paths.length > 0) parts.push(await importFiles(database.db, plan.paths, { progress }));
    if (plan.hfDays.length > 0) {
      parts.push(await importHfDays(database.db, plan.hfDays, { progress, baseUrl: plan.hfUrl, delayMs: plan.hfDelayMs }));
    }
    if (plan.arxivQuery) {
      parts.push(
        await importArxivQuery(database.db, plan.arxivQuery, {
          progress,
          baseUrl: plan.arxivUrl,
          delayMs: plan.arxivDelayMs,
          maxResults: plan.arxivMax,
          pageSize: plan.arxivPageSize,
        }),
      );
    }
    let harvest: OaiHarvestResult | undefined;
    if (plan.oaiSet) {
      try {
        harvest = await harvestOai(database.db, { setSpec: plan.oaiSet, from: plan.oaiFrom, until: plan.oaiUntil, baseUrl: plan.oaiUrl, delayMs: plan.oaiDelayMs, maxPageBytes: plan.oaiMaxPageBytes, progress });
      } catch (error) {
        if (!(error instanceof OaiHarvestError)) throw error;
        io.stderr.write(`error: ${error.message}\n`);
        return 1;
      }
      parts.push(harvest.summary);
    }
    // After the papers: citations match against the catalog as it then is.
    let citationsOk = true;
    const citationLines: string[] = [];
    for (const { kind, files } of plan.citations) {
      const report = await importCitationSnapshot(database.url, kind, files, { progress });
      citationLines.push(formatSnapshotReport(report));
      if (report.status === 'rejected') citationsOk = false;
    }
    const summary = summarize(parts.flatMap((part): readonly SourceSummary[] => part.sources));
    if (parts.length > 0) io.stdout.write(`${formatSummary(summary)}\n`);
    if (harvest) io.stdout.write(`${formatHarvest(harvest)}\n`);
    for (const line of citationLines) io.stdout.write(`${line}\n`);
    return summary.ok && citationsOk && (harvest?.complete ?? true) ? 0 : 1;
  } finally {
    await database.close();
  }
}

function formatHarvest(h: OaiHarvestResult): string {
  const days = `${h.from}${h.until ? ` to ${h.until}` : ' onwards'}`;
  const lines = [
    `OAI-PMH set ${h.setSpec}, records changed ${days}${h.resumed ? ' (resumed)' : ''}: ${h.pages} page${h.pages === 1 ? '' : 's'} committed, ` +
      `${h.deletedMarked} deleted record${h.deletedMarked === 1 ? '' : 's'} marked${h.deletedUnknown > 0 ? ` (${h.deletedUnknown} of papers not in the catalog)` : ''}`,
  ];
  if (h.complete) lines.push(`  complete; the next run without --from starts at ${h.lastDatestamp ?? h.from}`);
  else lines.push(`  stopped early: ${h.failure ?? 'unknown'}; run the same command again to resume after the last complete page`);
  return lines.join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`import failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
