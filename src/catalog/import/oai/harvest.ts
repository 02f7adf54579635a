// Incremental harvesting of arXiv's OAI-PMH interface: `ListRecords` of one set, with
// `metadataPrefix=arXiv`, from a day (and until one), following resumption tokens.
//
// Each response page is one unit, all or nothing: it is read whole (./read.ts), then its
// papers, their OAI datestamps, its deleted records AND the harvest's position (table
// OaiHarvest) are written in ONE transaction. So the stored position always names the first
// page not yet committed, and a harvest that fails anywhere (network, 5xx after retries, a
// malformed page, a crash) resumes from there:
//   - the next run of the same set, without --from (or with the same --from/--until), asks for
//     the stored resumption token, i.e. the page after the last complete one;
//   - if the repository no longer knows that token (they expire: badResumptionToken), the
//     harvest starts over from its own `from` day; pages already written are written again
//     and change nothing (the writer compares before writing);
//   - when the last page is committed, the set's `lastDatestamp` becomes the latest datestamp
//     the harvest saw, and the next run without --from starts from that day (inclusive: a
//     record changed later that same day is not missed).
// Records are not promised in datestamp order (OAI-PMH does not order them), so only a
// completed harvest moves `lastDatestamp`; a partial one only keeps its token.
//
// Politeness: one request at a time, `delayMs` apart (3 s by default, as arXiv asks); a 503
// is retried after its Retry-After.
//
// Bounded: a page is parsed as it arrives and may have at most `maxPageBytes` (32 MiB by
// default, ARXIV_OAI_MAX_PAGE_BYTES); past that the download is aborted and the run fails
// there like a malformed page would (nothing of that page written, the position kept), so a
// huge or endless answer costs at most that much memory. arXiv's pages of 1,000 records are a
// few MB.
import type { Db } from '../../../platform/db/client.ts';
import type { Prisma } from '../../../generated/prisma/client.ts';
import { Client, ResponseTooLarge, type FetchOptions } from '../fetchers.ts';
import { rejected, summarize, type ImportSummary, type SourceSummary } from '../importer.ts';
import { formatDay, parseDay } from '../normalize.ts';
import { silentProgress } from '../progress.ts';
import type { PaperRecord } from '../records.ts';
import { RejectedInput } from '../validate.ts';
import { writeRecords } from '../writer.ts';
import { OaiError, readOaiPageFrom, type OaiPage } from './read.ts';

/** arXiv's OAI-PMH base URL (https://info.arxiv.org/help/oa/index.html). */
export const DEFAULT_ARXIV_OAI_URL = 'https://oaipmh.arxiv.org/oai';
export const DEFAULT_OAI_DELAY_MS = 3000;
export const OAI_METADATA_PREFIX = 'arXiv';
/** The most bytes one response page may have (decoded), unless ARXIV_OAI_MAX_PAGE_BYTES says otherwise. */
export const DEFAULT_OAI_MAX_PAGE_BYTES = 32 * 1024 * 1024;

export interface OaiHarvestOptions extends FetchOptions {
  /** OAI setSpec, e.g. `cs`. */
  setSpec: string;
  /** First datestamp day (YYYY-MM-DD); default: where the last completed harvest of the set ended. */
  from?: string | undefined;
  /** Last datestamp day (YYYY-MM-DD), included; default: none. */
  until?: string | undefined;
  baseUrl?: string | undefined;
  /** Least time between two requests (ms, default 3000). */
  delayMs?: number | undefined;
  /** Most bytes of one response page (default 32 MiB): past it the run fails at that page. */
  maxPageBytes?: number | undefined;
}

export interface OaiHarvestResult {
  readonly setSpec: string;
  readonly from: string;
  readonly until: string | null;
  /** The run continued an earlier, unfinished harvest from its stored resumption token. */
  readonly resumed: boolean;
  /** Pages committed by this run. */
  readonly pages: number;
  /** Records marked deleted by this run (of papers in the catalog). */
  readonly deletedMarked: number;
  /** Deleted records of papers the catalog does not have (nothing to mark). */
  readonly deletedUnknown: number;
  /** True when the harvest reached its last page. */
  readonly complete: boolean;
  /** The set's lastDatestamp after the run. */
  readonly lastDatestamp: string | null;
  /** Why it stopped early; the next run resumes from the last committed page. */
  readonly failure?: string | undefined;
  /** Per page, as the other importers report inputs. */
  readonly summary: ImportSummary;
}

/** A harvest that cannot start (no --from and nothing harvested before, bad days). */
export class OaiHarvestError extends Error {
  override name = 'OaiHarvestError';
}

type Tx = Prisma.TransactionClient;

const dayOrThrow = (name: string, text: string) => {
  const day = parseDay(text);
  if (!day) throw new OaiHarvestError(`${name} expects a day YYYY-MM-DD; got "${text}"`);
  return day;
};
const sameDay = (a: Date | null | undefined, b: Date | null | undefined) => (a ? formatDay(a) : null) === (b ? formatDay(b) : null);
const later = (a: Date | null | undefined, b: Date | null | undefined) => (!a ? (b ?? null) : !b || a >= b ? a : b);

export async function harvestOai(db: Db, options: OaiHarvestOptions): Promise<OaiHarvestResult> {
  const setSpec = options.setSpec.trim();
  if (!/^[A-Za-z0-9\-_.!~*'():]+$/.test(setSpec)) throw new OaiHarvestError(`--oai-set expects an OAI setSpec such as cs or cs:cs:AI; got "${options.setSpec}"`);
  const from = options.from === undefined ? undefined : dayOrThrow('--from', options.from);
  const until = options.until === undefined ? undefined : dayOrThrow('--until', options.until);
  if (from && until && from > until) throw new OaiHarvestError(`--until (${options.until}) is before --from (${options.from})`);
  const base = (options.baseUrl ?? DEFAULT_ARXIV_OAI_URL).replace(/\/+$/, '');
  const progress = options.progress ?? silentProgress;
  const maxPageBytes = options.maxPageBytes ?? DEFAULT_OAI_MAX_PAGE_BYTES;
  const client = new Client({ ...options, attempts: options.attempts ?? 5, maxResponseBytes: maxPageBytes }, options.delayMs ?? DEFAULT_OAI_DELAY_MS);

  const state = await db.oaiHarvest.findUnique({ where: { setSpec } });
  // An unfinished harvest of this set continues, unless the run asks for other days.
  const resumable = state?.pendingFrom && (from === undefined || sameDay(from, state.pendingFrom)) && (until === undefined || sameDay(until, state.pendingUntil));
  let harvestFrom: Date;
  let harvestUntil: Date | null;
  let token: string | null;
  let pagesBefore: number;
  if (resumable) {
    harvestFrom = state.pendingFrom!;
    harvestUntil = state.pendingUntil;
    token = state.pendingToken;
    pagesBefore = state.pages;
    progress.log(`set ${setSpec}: resuming the harvest from ${formatDay(harvestFrom)}${token ? ` after page ${state.pages}` : ' (it had committed no page)'}`);
  } else {
    const start = from ?? state?.lastDatestamp;
    if (!start) throw new OaiHarvestError(`set ${setSpec} was never harvested here: give the first day with --from YYYY-MM-DD`);
    harvestFrom = start;
    harvestUntil = until ?? null;
    token = null;
    pagesBefore = 0;
    // Recorded before the first request, so a run that fails before any page resumes these days.
    const pending = { pendingFrom: harvestFrom, pendingUntil: harvestUntil, pendingToken: null, pendingLastDatestamp: null, pages: 0 };
    await db.oaiHarvest.upsert({ where: { setSpec }, create: { setSpec, ...pending }, update: pending });
  }
  const resumed = Boolean(resumable);

  const firstUrl = () => {
    const params = new URLSearchParams({ verb: 'ListRecords', metadataPrefix: OAI_METADATA_PREFIX, set: setSpec, from: formatDay(harvestFrom) });
    if (harvestUntil) params.set('until', formatDay(harvestUntil));
    return `${base}?${params}`;
  };
  const summaries: SourceSummary[] = [];
  let pages = 0;
  let deletedMarked = 0;
  let deletedUnknown = 0;
  let complete = false;
  let failure: string | undefined;
  let restarted = false;

  for (;;) {
    const url = token ? `${base}?${new URLSearchParams({ verb: 'ListRecords', resumptionToken: token })}` : firstUrl();
    let page: OaiPage;
    try {
      page = (await client.read(url, (body) => readOaiPageFrom(body, url))).value;
    } catch (error) {
      if (error instanceof OaiError && error.code === 'noRecordsMatch') {
        page = { records: [], datestamps: new Map(), deleted: [], entries: 0, resumptionToken: null };
      } else if (error instanceof OaiError && error.code === 'badResumptionToken' && token && !restarted) {
        // Expired or unknown: start this harvest over from its first day (rewrites change nothing).
        progress.log(`set ${setSpec}: the repository no longer knows the resumption token; starting the harvest over from ${formatDay(harvestFrom)}`);
        restarted = true;
        const reset = await db.oaiHarvest.updateMany({
          where: { setSpec, pages: pagesBefore + pages },
          data: { pendingToken: null, pendingLastDatestamp: null, pages: 0 },
        });
        if (reset.count === 0) {
          failure = `another harvest of set ${setSpec} moved on meanwhile`;
          break;
        }
        token = null;
        pagesBefore = 0;
        continue;
      } else if (error instanceof OaiError || error instanceof RejectedInput) {
        failure = error.message;
        if (error instanceof ResponseTooLarge) {
          // Not a passing failure: the next run asks for the same page and meets the same limit.
          failure += ` (the limit of one OAI-PMH page is maxPageBytes, ARXIV_OAI_MAX_PAGE_BYTES in the CLI; raise it if this repository's pages are legitimately larger)`;
        }
        summaries.push(rejected(url, null, error));
        progress.log(`REJECTED ${failure}`);
        break;
      } else {
        throw error;
      }
    }

    const expectedPages = pagesBefore + pages;
    try {
      const counts = await db.$transaction(
        async (tx) => {
          // The position row is locked first: two harvests of one set cannot both commit a page
          // from the same position.
          const [current] = await tx.$queryRaw<{ pages: number; pendingFrom: Date | null }[]>`
            SELECT pages, "pendingFrom" FROM "OaiHarvest" WHERE "setSpec" = ${setSpec} FOR UPDATE`;
          if (!current || current.pages !== expectedPages || !sameDay(current.pendingFrom, harvestFrom)) {
            throw new RejectedInput(url, [{ message: `another harvest of set ${setSpec} moved on meanwhile; nothing from this page was written` }]);
          }
          const written = await writeRecords(tx, await keepExactPublishedAt(tx, page.records));
          const marked = await writeProvenance(tx, page);
          const pageLatest = [...page.datestamps.values()].reduce<Date | null>((max, d) => later(max, d), null);
          const row = await tx.oaiHarvest.findUniqueOrThrow({ where: { setSpec } });
          const latest = later(row.pendingLastDatestamp, pageLatest);
          if (page.resumptionToken) {
            await tx.oaiHarvest.update({ where: { setSpec }, data: { pendingToken: page.resumptionToken, pendingLastDatestamp: latest, pages: { increment: 1 } } });
          } else {
            await tx.oaiHarvest.update({
              where: { setSpec },
              data: {
                lastDatestamp: later(row.lastDatestamp, latest),
                pendingFrom: null,
                pendingUntil: null,
                pendingToken: null,
                pendingLastDatestamp: null,
                pages: { increment: 1 },
                completedAt: new Date(),
              },
            });
          }
          return { written, marked };
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
      pages++;
      deletedMarked += counts.marked;
      deletedUnknown += page.deleted.length - counts.marked;
      const summary: SourceSummary = { source: url, format: null, status: 'imported', entries: page.entries, featuredOnUnknown: 0, ...counts.written };
      summaries.push(summary);
      progress.log(
        `set ${setSpec} page ${pagesBefore + pages}: ${page.entries} records -> ${counts.written.papersCreated} papers created, ${counts.written.papersUpdated} updated, ` +
          `${counts.written.papersUnchanged} unchanged, ${page.deleted.length} deleted (${counts.marked} marked)` +
          (page.completeListSize !== undefined ? ` of ${page.completeListSize} in the list` : ''),
      );
    } catch (error) {
      const message = error instanceof RejectedInput ? error.message : `${url}: writing the page failed and was rolled back: ${((error as Error).message ?? String(error)).replace(/\s+/g, ' ').slice(0, 300)}`;
      failure = message;
      summaries.push(rejected(url, null, new RejectedInput(url, [{ message }])));
      progress.log(`REJECTED ${message}`);
      break;
    }
    token = page.resumptionToken;
    if (!token) {
      complete = true;
      break;
    }
  }

  const after = await db.oaiHarvest.findUnique({ where: { setSpec } });
  return {
    setSpec,
    from: formatDay(harvestFrom),
    until: harvestUntil ? formatDay(harvestUntil) : null,
    resumed,
    pages,
    deletedMarked,
    deletedUnknown,
    complete,
    lastDatestamp: after?.lastDatestamp ? formatDay(after.lastDatestamp) : null,
    failure,
    summary: summarize(summaries),
  };
}

/**
 * The OAI format gives the v1 submission DAY (`created`); the arXiv API gives its instant. A
 * paper already known on that same day keeps its exact instant instead of moving to midnight.
 */
async function keepExactPublishedAt(tx: Tx, records: PaperRecord[]): Promise<PaperRecord[]> {
  if (records.length === 0) return records;
  const known = await tx.paper.findMany({ where: { arxivId: { in: records.map((r) => r.arxivId) } }, select: { arxivId: true, publishedAt: true } });
  const stored = new Map(known.map((row) => [row.arxivId, row.publishedAt]));
  return records.map((record) => {
    const at = stored.get(record.arxivId);
    return at && formatDay(at) === formatDay(record.publishedAt) ? { ...record, publishedAt: at } : record;
  });
}

/** Datestamps of every record of the page; deleted records marked (never erased). Returns papers marked. */
async function writeProvenance(tx: Tx, page: OaiPage): Promise<number> {
  const ids = [...page.datestamps.keys()];
  if (ids.length === 0) return 0;
  const days = ids.map((id) => formatDay(page.datestamps.get(id)!));
  await tx.$executeRaw`
    UPDATE "Paper" p SET "oaiDatestamp" = d.day
    FROM unnest(${ids}::text[], ${days}::date[]) AS d(id, day)
    WHERE p."arxivId" = d.id AND p."oaiDatestamp" IS DISTINCT FROM d.day`;
  // A record served again with metadata is no longer deleted.
  const live = page.records.map((r) => r.arxivId);
  if (live.length > 0) await tx.$executeRaw`UPDATE "Paper" SET "oaiDeletedAt" = NULL WHERE "arxivId" = ANY(${live}::text[]) AND "oaiDeletedAt" IS NOT NULL`;
  if (page.deleted.length === 0) return 0;
  const marked = await tx.$queryRaw<{ id: number }[]>`
    UPDATE "Paper" SET "oaiDeletedAt" = COALESCE("oaiDeletedAt", now()) WHERE "arxivId" = ANY(${page.deleted}::text[]) RETURNING id`;
  return marked.length;
}
