// The demo catalog as numbers, before anything is written: which day each paper is featured
// on, its dates and arXiv id, its byline and topics, who submitted it and how many votes it
// gets. Pure and deterministic: a function of the options and of the arXiv ids already taken.
// Texts, metadata and votes are derived later, one paper at a time (paperDetailsOf, paperVotes),
// so a 100k-paper plan stays a few typed arrays.
import { NameGenerator, uniqueHandle, type PersonName } from './names.ts';
import { Rng, WeightedSampler, hashSeed, shuffledZipf } from './random.ts';
import { paperText, type PaperText } from './text.ts';
import { FIELDS, INSTITUTIONS, JOURNALS, ORGANIZATIONS, TOPIC_QUALIFIERS, type Field, type Subfield } from './vocabulary.ts';
import { topicSlug } from '../topics/index.ts';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** arXiv numbers have five digits: a month holds at most 99,999 papers. */
const ARXIV_MAX_NUMBER = 99_999;
/** Roughly how many submissions arXiv numbers in a month, so ids look like real ones. */
const ARXIV_MONTHLY_SPAN = 28_000;
/** publishedAt (arXiv v1) is at most this long before the featured day. */
export const MAX_PUBLICATION_LAG_MS = 10 * DAY_MS;
export const MAX_AUTHORS_PER_PAPER = 15;

/** Authors per paper, 1..15: most bylines have 3-8 names, and big collaborations pile up at 15. */
const AUTHOR_COUNT_WEIGHTS = [4, 6, 9, 11, 12, 11, 10, 8, 7, 5, 4, 3, 3, 2, 5];

export interface PlanOptions {
  papers: number;
  seed: number;
  /** The instant the catalog is generated as of (its UTC day is the newest featured day). */
  now: number;
  days: number;
  authors: number;
  users: number;
  votes: number;
  topics: number;
  /** arXiv ids already in the database, which new papers must not reuse. */
  takenArxivIds: ReadonlySet<string>;
}

export type Role = 'ADMIN' | 'CURATOR' | 'READER';

export interface TopicPlan {
  readonly slug: string;
  readonly name: string;
  /** Index of the parent in `topics` (parents come first); -1 for a root. */
  readonly parent: number;
  readonly field: Field;
  /** null for a root topic. */
  readonly subfield: Subfield | null;
  readonly qualifier: string | null;
  readonly createdAt: number;
}

export interface UserPlan {
  readonly handle: string;
  readonly displayName: string;
  readonly role: Role;
  readonly createdAt: number;
}

export interface CatalogPlan {
  readonly seed: number;
  readonly now: number;
  readonly firstDay: number;
  readonly lastDay: number;
  readonly topics: readonly TopicPlan[];
  /** In insertion order: admin, curators, readers by sign-up date. */
  readonly users: readonly UserPlan[];
  /** Author names in order of first appearance, with the time of that first paper. */
  readonly authorNames: readonly string[];
  readonly authorCreatedAt: Float64Array;
  readonly papers: PaperPlans;
  readonly voteCount: number;
  /** Who votes how much: drawn from for every paper's voters. */
  readonly voters: WeightedSampler;
  /** Hugging Face handles that submitted papers there (not users of the catalog). */
  readonly hfSubmitters: readonly string[];
}

/** One entry per paper, in insertion order (oldest featured day first). */
export interface PaperPlans {
  readonly count: number;
  /** UTC day number (days since 1970-01-01). */
  readonly featuredDay: Int32Array;
  readonly publishedAt: Float64Array;
  readonly createdAt: Float64Array;
  readonly arxivId: string[];
  /** Byline of paper i: authors[authorStart[i] .. authorStart[i+1]), indexes into authorNames. */
  readonly authorStart: Int32Array;
  readonly authors: Int32Array;
  /** Topics of paper i: topics[topicStart[i] .. topicStart[i+1]), the first one is primary. */
  readonly topicStart: Int32Array;
  readonly topics: Int32Array;
  readonly hasCode: Uint8Array;
  readonly githubStars: Int32Array;
  readonly hasProjectPage: Uint8Array;
  /** Index into users; -1: nobody. */
  readonly submitter: Int32Array;
  readonly votes: Int32Array;
}

export function planCatalog(options: PlanOptions): CatalogPlan {
  const { seed, papers: count } = options;
  const lastDay = Math.floor(options.now / DAY_MS);
  const firstDay = lastDay - options.days + 1;

  const featuredDay = featuredDays(Rng.derive(seed, 'days'), count, firstDay, options.days);
  const { publishedAt, createdAt } = paperDates(Rng.derive(seed, 'dates'), featuredDay);
  const arxivId = arxivIds(publishedAt, options.takenArxivIds);

  const topics = topicTree(options.topics, firstDay);
  const { topicStart, topics: paperTopics } = paperTopicLists(Rng.derive(seed, 'topics'), count, topics);

  const byline = bylines(Rng.derive(seed, 'authors'), count, options.authors);
  const authorNames = authorNamesFor(Rng.derive(seed, 'author-names'), byline.authorCount);
  const authorCreatedAt = new Float64Array(byline.authorCount).fill(NaN);
  for (let p = 0; p < count; p++) {
    for (let s = byline.authorStart[p]!; s < byline.authorStart[p + 1]!; s++) {
      const a = byline.authors[s]!;
      if (Number.isNaN(authorCreatedAt[a]!)) authorCreatedAt[a] = createdAt[p]!;
    }
  }

  const users = userList(Rng.derive(seed, 'users'), options.users, firstDay);
  const voters = new WeightedSampler(shuffledZipf(Rng.derive(seed, 'voters'), users.length, 0.9, 5));
  const submitter = submitters(Rng.derive(seed, 'submitters'), count, users);

  const attention = paperAttention(Rng.derive(seed, 'attention'), featuredDay, options.now, options.votes, users.length);
  const hfRng = Rng.derive(seed, 'hf-submitters');
  const hfNames = new NameGenerator(hfRng);
  const hfHandles = new Set<string>();
  const hfSubmitters = Array.from({ length: 12 }, () => uniqueHandle(hfRng, hfNames.any(), hfHandles));

  return {
    seed,
    now: options.now,
    firstDay,
    lastDay,
    topics,
    users,
    authorNames,
    authorCreatedAt,
    voters,
    hfSubmitters,
    voteCount: attention.votes.reduce((a, b) => a + b, 0),
    papers: {
      count,
      featuredDay,
      publishedAt,
      createdAt,
      arxivId,
      authorStart: byline.authorStart,
      authors: byline.authors,
      topicStart,
      topics: paperTopics,
      hasCode: attention.hasCode,
      githubStars: attention.githubStars,
      hasProjectPage: attention.hasProjectPage,
      submitter,
      votes: attention.votes,
    },
  };
}

/** Sunday is 0, as in Date#getUTCDay. 1970-01-01 was a Thursday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/**
 * Papers per featured day, like the HF daily list: ~1 share per weekday (jittered), weekends
 * mostly empty, and the most recent Saturday always empty so a day without papers exists.
 * Returns each paper's day, oldest first.
 */
function featuredDays(rng: Rng, count: number, firstDay: number, days: number): Int32Array {
  const weights: number[] = [];
  let lastSaturday = -1;
  for (let d = 0; d < days; d++) {
    const dow = weekday(firstDay + d);
    if (dow === 6) {
      lastSaturday = d;
      weights.push(rng.chance(0.7) ? 0 : 0.06);
    } else if (dow === 0) weights.push(rng.chance(0.5) ? 0 : 0.1);
    else weights.push(0.75 + 0.5 * rng.next());
  }
  if (lastSaturday >= 0 && days >= 7) weights[lastSaturday] = 0;
  if (!weights.some((w) => w > 0)) weights.fill(1);
  const perDay = apportion(count, weights);
  const result = new Int32Array(count);
  let i = 0;
  perDay.forEach((n, d) => result.fill(firstDay + d, i, (i += n)));
  return result;
}

/** `total` split in proportion to the weights, in whole numbers (largest remainder). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (total * w) / sum);
  const result = quotas.map(Math.floor);
  let left = total - result.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k++, left--) result[byRemainder[k % byRemainder.length]!.i]!++;
  return result;
}

/**
 * arXiv v1 a few hours to 10 days before the featured day (mostly one or two days), then the
 * catalog entry created between the two. Within a day, papers are ordered by creation.
 */
function paperDates(rng: Rng, featuredDay: Int32Array): { publishedAt: Float64Array; createdAt: Float64Array } {
  const count = featuredDay.length;
  const publishedAt = new Float64Array(count);
  const createdAt = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const featuredAt = featuredDay[i]! * DAY_MS;
    let lag = 2 * HOUR_MS + rng.exponential(1.4 * DAY_MS);
    if (lag > MAX_PUBLICATION_LAG_MS) lag = 2 * HOUR_MS + rng.next() * (MAX_PUBLICATION_LAG_MS - 2 * HOUR_MS);
    publishedAt[i] = featuredAt - Math.round(lag);
    createdAt[i] = publishedAt[i]! + Math.round((0.2 + 0.78 * rng.next()) * (featuredAt - publishedAt[i]!));
  }
  // Sort each day's papers by creation (ids then follow the order papers entered the catalog).
  const order = Array.from({ length: count }, (_, i) => i).sort(
    (a, b) => featuredDay[a]! - featuredDay[b]! || createdAt[a]! - createdAt[b]! || a - b,
  );
  return {
    publishedAt: Float64Array.from(order, (i) => publishedAt[i]!),
    createdAt: Float64Array.from(order, (i) => createdAt[i]!),
  };
}

/**
 * YYMM.NNNNN from the month of publishedAt, numbered in submission order within the month and
 * spread over the month the way arXiv's counter is; ids in `taken` are skipped.
 */
function arxivIds(publishedAt: Float64Array, taken: ReadonlySet<string>): string[] {
  const byMonth = new Map<number, number[]>();
  for (let i = 0; i < publishedAt.length; i++) {
    const d = new Date(publishedAt[i]!);
    const key = d.getUTCFullYear() * 12 + d.getUTCMonth();
    let list = byMonth.get(key);
    if (!list) byMonth.set(key, (list = []));
    list.push(i);
  }
  const ids = new Array<string>(publishedAt.length);
  for (const [key, list] of byMonth) {
    const year = Math.floor(key / 12);
    const month = key % 12;
    const start = Date.UTC(year, month, 1);
    const end = Date.UTC(year, month + 1, 1);
    const prefix = `${String(year % 100).padStart(2, '0')}${String(month + 1).padStart(2, '0')}.`;
    if (list.length > ARXIV_MAX_NUMBER) {
      throw new RangeError(
        `${list.length} papers would be published in ${prefix.slice(0, 4)}, more than arXiv's ${ARXIV_MAX_NUMBER} ids a month: spread them over more days`,
      );
    }
    list.sort((a, b) => publishedAt[a]! - publishedAt[b]! || a - b);
    const span = Math.min(ARXIV_MAX_NUMBER - list.length, ARXIV_MONTHLY_SPAN);
    let previous = 0;
    list.forEach((paper, rank) => {
      const fraction = (publishedAt[paper]! - start) / (end - start);
      let number = Math.max(previous + 1, 1 + Math.floor(fraction * span) + rank);
      while (taken.has(prefix + String(number).padStart(5, '0'))) number++;
      if (number > ARXIV_MAX_NUMBER) {
        throw new RangeError(`No free arXiv id left in ${prefix.slice(0, 4)} for the demo papers published that month`);
      }
      ids[paper] = prefix + String(number).padStart(5, '0');
      previous = number;
    });
  }
  return ids;
}

/** The most topics the curated tree and its qualified variants can provide. */
export const MAX_TOPICS = FIELDS.reduce((n, f) => n + 1 + f.subfields.length * (1 + TOPIC_QUALIFIERS.length), 0);

/**
 * `count` topics: ceil(sqrt(count)) roots (most popular fields first), the rest their children,
 * dealt round-robin: curated subfields first, then qualified ones ("Few-Shot Image Generation").
 */
function topicTree(count: number, firstDay: number): TopicPlan[] {
  const createdAt = (firstDay - 90) * DAY_MS;
  const rootCount = Math.min(FIELDS.length, Math.max(1, Math.ceil(Math.sqrt(count))), count);
  const topics: TopicPlan[] = FIELDS.slice(0, rootCount).map((field, i) => ({
    slug: topicSlug(field.name),
    name: field.name,
    parent: -1,
    field,
    subfield: null,
    qualifier: null,
    createdAt: createdAt + i * 60_000,
  }));
  const queues = FIELDS.slice(0, rootCount).map((field) => {
    const entries: { subfield: Subfield; qualifier: string | null }[] = field.subfields.map((subfield) => ({ subfield, qualifier: null }));
    for (const qualifier of TOPIC_QUALIFIERS) for (const subfield of field.subfields) entries.push({ subfield, qualifier });
    return entries;
  });
  for (let round = 0; topics.length < count; round++) {
    let added = false;
    for (let r = 0; r < rootCount && topics.length < count; r++) {
      const entry = queues[r]![round];
      if (!entry) continue;
      added = true;
      const name = entry.qualifier ? `${entry.qualifier} ${entry.subfield.name}` : entry.subfield.name;
      topics.push({
        slug: topicSlug(name),
        name,
        parent: r,
        field: FIELDS[r]!,
        subfield: entry.subfield,
        qualifier: entry.qualifier,
        createdAt: createdAt + topics.length * 60_000,
      });
    }
    if (!added) throw new RangeError(`At most ${topics.length} demo topics can be made from the curated tree; asked for ${count}`);
  }
  const slugs = new Set(topics.map((t) => t.slug));
  if (slugs.size !== topics.length) throw new Error('Demo topic slugs collide: fix the vocabulary');
  return topics;
}

/**
 * 1-3 topics per paper. The primary one is a leaf, popular fields and their first subfields
 * most often; a second or third is a sibling, any leaf, or the primary's root.
 */
function paperTopicLists(rng: Rng, count: number, topics: readonly TopicPlan[]): { topicStart: Int32Array; topics: Int32Array } {
  let leaves = topics.map((t, i) => (t.parent >= 0 ? i : -1)).filter((i) => i >= 0);
  if (leaves.length === 0) leaves = topics.map((_, i) => i);
  const rankInRoot = new Map<number, number>();
  const siblings = new Map<number, number[]>();
  for (const leaf of leaves) {
    const parent = topics[leaf]!.parent;
    const list = siblings.get(parent) ?? [];
    rankInRoot.set(leaf, list.length);
    list.push(leaf);
    siblings.set(parent, list);
  }
  const sampler = new WeightedSampler(
    leaves.map((leaf) => {
      const root = topics[leaf]!.parent >= 0 ? topics[leaf]!.parent : leaf;
      return 1 / Math.pow(root + 1, 0.7) / Math.pow(rankInRoot.get(leaf)! + 1, 0.8);
    }),
  );
  const topicStart = new Int32Array(count + 1);
  const chosen: number[] = [];
  for (let p = 0; p < count; p++) {
    topicStart[p] = chosen.length;
    const primary = leaves[sampler.sample(rng)]!;
    const mine = [primary];
    const want = rng.chance(0.55) ? 1 : rng.chance(0.73) ? 2 : 3;
    for (let attempt = 0; mine.length < want && attempt < 10; attempt++) {
      const parent = topics[primary]!.parent;
      const r = rng.next();
      const extra =
        r < 0.5 ? rng.pick(siblings.get(parent) ?? [primary]) : r < 0.8 || parent < 0 ? leaves[sampler.sample(rng)]! : parent;
      if (!mine.includes(extra)) mine.push(extra);
    }
    chosen.push(...mine);
  }
  topicStart[count] = chosen.length;
  return { topicStart, topics: Int32Array.from(chosen) };
}

/**
 * Bylines. Every author appears at least once: of all the byline slots, `authors` go to a new
 * author each and the rest to a repeat author drawn Zipf-Mandelbrot (a few authors on dozens
 * of papers, most on one). The most prolific author of a paper usually signs last, like a PI.
 * Authors are numbered by first appearance.
 */
function bylines(rng: Rng, count: number, wantedAuthors: number) {
  const sizes = new Int32Array(count);
  for (let p = 0; p < count; p++) sizes[p] = rng.weightedIndex(AUTHOR_COUNT_WEIGHTS) + 1;
  // Even tiny catalogs show both a single-author paper and a full 15-author byline.
  if (count >= 2) {
    const solo = rng.int(0, count - 1);
    sizes[solo] = 1;
    sizes[(solo + 1 + rng.int(0, count - 2)) % count] = MAX_AUTHORS_PER_PAPER;
  }
  const slots = sizes.reduce((a, b) => a + b, 0);
  const maxSize = sizes.reduce((a, b) => Math.max(a, b), 0);
  const authorCount = Math.min(Math.max(wantedAuthors, maxSize), slots);
  const popularity = shuffledZipf(rng, authorCount, 1, Math.max(2, Math.sqrt(authorCount) / 4));
  const repeats = new WeightedSampler(popularity);

  const authorStart = new Int32Array(count + 1);
  const authors = new Int32Array(slots);
  let freshLeft = authorCount;
  let slotsLeft = slots;
  let nextFresh = 0;
  let at = 0;
  for (let p = 0; p < count; p++) {
    authorStart[p] = at;
    const size = sizes[p]!;
    let fresh = 0;
    for (let s = 0; s < size; s++, slotsLeft--) {
      if (rng.next() * slotsLeft < freshLeft) {
        fresh++;
        freshLeft--;
      }
    }
    const mine: number[] = [];
    for (let f = 0; f < fresh; f++) mine.push(nextFresh++);
    while (mine.length < size) {
      const a = repeats.sample(rng);
      if (!mine.includes(a)) mine.push(a);
    }
    rng.shuffle(mine);
    if (size >= 3 && rng.chance(0.7)) {
      let senior = 0;
      for (let k = 1; k < size; k++) if (popularity[mine[k]!]! > popularity[mine[senior]!]!) senior = k;
      mine.push(mine.splice(senior, 1)[0]!);
    }
    for (const a of mine) authors[at++] = a;
  }
  authorStart[count] = at;

  // Number authors by first appearance, so author ids grow with the papers' dates.
  const renumber = new Int32Array(authorCount).fill(-1);
  let next = 0;
  for (let s = 0; s < slots; s++) {
    const a = authors[s]!;
    if (renumber[a] === -1) renumber[a] = next++;
    authors[s] = renumber[a]!;
  }
  return { authorStart, authors, authorCount };
}

function authorNamesFor(rng: Rng, count: number): string[] {
  const generator = new NameGenerator(rng);
  const taken = new Set<string>();
  return Array.from({ length: count }, () => generator.unique(taken).full);
}

/**
 * One admin (handle "admin"), a few curators, the rest readers; all signed up before the window
 * opened, so every vote and submission comes after the user existed.
 */
export function userList(rng: Rng, count: number, firstDay: number): UserPlan[] {
  const windowStart = firstDay * DAY_MS;
  const curators = Math.max(0, Math.min(25, Math.max(3, Math.round(count / 2000)), count - 1));
  const names = new NameGenerator(rng);
  const handles = new Set(['admin']);
  const person = (role: Role, earliest: number, latest: number): UserPlan => {
    const name: PersonName = names.any();
    return {
      handle: uniqueHandle(rng, name, handles),
      displayName: name.full,
      role,
      createdAt: Math.round(windowStart - latest * DAY_MS - rng.next() * (earliest - latest) * DAY_MS),
    };
  };
  const users: UserPlan[] = [{ handle: 'admin', displayName: 'Catalog Admin', role: 'ADMIN', createdAt: windowStart - 400 * DAY_MS }];
  const staff = Array.from({ length: curators }, () => person('CURATOR', 390, 200)).sort((a, b) => a.createdAt - b.createdAt);
  const readers = Array.from({ length: count - 1 - curators }, () => person('READER', 730, 1)).sort((a, b) => a.createdAt - b.createdAt);
  return [...users, ...staff, ...readers];
}

/** Most papers are submitted by a curator (one of them does most of it), some by readers. */
function submitters(rng: Rng, count: number, users: readonly UserPlan[]): Int32Array {
  const curators = users.map((u, i) => (u.role === 'CURATOR' ? i : -1)).filter((i) => i >= 0);
  const readers = users.map((u, i) => (u.role === 'READER' ? i : -1)).filter((i) => i >= 0);
  const curatorPick = curators.length ? new WeightedSampler(curators.map((_, k) => 1 / Math.pow(k + 1, 1.2))) : null;
  const readerPick = readers.length ? new WeightedSampler(shuffledZipf(rng, readers.length, 1.1, 2)) : null;
  const result = new Int32Array(count);
  for (let p = 0; p < count; p++) {
    const r = rng.next();
    if (r < 0.55 && curatorPick) result[p] = curators[curatorPick.sample(rng)]!;
    else if (r < 0.85 && readerPick) result[p] = readers[readerPick.sample(rng)]!;
    else if (r < 0.87) result[p] = 0;
    else result[p] = -1;
  }
  return result;
}

/**
 * How much attention each paper gets: a log-normal "quality" drives both its votes and its
 * GitHub stars. Votes are shared out of the total in proportion to quality times how long the
 * paper has been listed (papers featured today have had little time), capped by the user count;
 * ~6% of papers get none at all.
 */
function paperAttention(rng: Rng, featuredDay: Int32Array, now: number, totalVotes: number, userCount: number) {
  const count = featuredDay.length;
  const quality = new Float64Array(count);
  const weight = new Float64Array(count);
  for (let p = 0; p < count; p++) {
    quality[p] = Math.exp(1.1 * rng.normal());
    const hoursListed = Math.max(0, now - featuredDay[p]! * DAY_MS) / HOUR_MS;
    const ignored = rng.chance(0.06);
    weight[p] = ignored ? 0 : quality[p]! * (1 - Math.exp(-hoursListed / 20));
  }
  if (count > 0) weight[rng.int(0, count - 1)] = 0; // at least one paper nobody voted for
  const sum = weight.reduce((a, b) => a + b, 0);
  const cap = Math.floor(userCount * 0.6);
  const votes = new Int32Array(count);
  const hasCode = new Uint8Array(count);
  const githubStars = new Int32Array(count);
  const hasProjectPage = new Uint8Array(count);
  for (let p = 0; p < count; p++) {
    const expected = sum > 0 ? (totalVotes * weight[p]!) / sum : 0;
    votes[p] = Math.min(cap, Math.floor(expected) + (rng.next() < expected - Math.floor(expected) ? 1 : 0));
    hasCode[p] = rng.chance(0.4) ? 1 : 0;
    githubStars[p] = hasCode[p] ? Math.min(150_000, Math.round(Math.exp(3.2 + 1.5 * rng.normal()) * Math.pow(quality[p]!, 0.6))) : 0;
    hasProjectPage[p] = rng.chance(hasCode[p] ? 0.32 : 0.12) ? 1 : 0;
  }
  if (count >= 2) {
    // Even tiny catalogs show a paper with code and one without.
    const withCode = rng.int(0, count - 1);
    const withoutCode = (withCode + 1 + rng.int(0, count - 2)) % count;
    hasCode[withCode] = 1;
    githubStars[withCode] ||= 1 + rng.int(0, 200);
    hasCode[withoutCode] = 0;
    githubStars[withoutCode] = 0;
  }
  return { votes, hasCode, githubStars, hasProjectPage };
}

export interface PaperDetails extends Omit<PaperText, 'aiSummary' | 'aiKeywords'> {
  readonly arxivUpdatedAt: number | null;
  readonly journalRef: string | null;
  readonly doi: string | null;
  /** What "Hugging Face" said of the paper: about a third of the papers carry it. */
  readonly hfUpvotes: number | null;
  readonly hfComments: number | null;
  readonly hfSubmitterHandle: string | null;
  readonly organization: string | null;
  readonly aiSummary: string | null;
  readonly aiKeywords: string[] | null;
  /** Per byline entry; all null on papers whose source gave no affiliations. */
  readonly affiliations: (string | null)[];
}

/** Texts, links and metadata of paper i (the same for the same seed, whatever the batch). */
export function paperDetailsOf(plan: CatalogPlan, i: number): PaperDetails {
  const p = plan.papers;
  const primary = plan.topics[p.topics[p.topicStart[i]!]!]!;
  const rng = Rng.derive(plan.seed, 'text', i);
  const subfield = primary.subfield ?? rng.pick(primary.field.subfields);
  const byline = Array.from(p.authors.subarray(p.authorStart[i]!, p.authorStart[i + 1]!));
  const publishedAt = p.publishedAt[i]!;
  const text = paperText(rng, {
    field: primary.field,
    subfield,
    qualifier: primary.qualifier,
    firstAuthor: plan.authorNames[byline[0]!]!,
    lastAuthor: plan.authorNames[byline[byline.length - 1]!]!,
    hasCode: p.hasCode[i] === 1,
    hasProjectPage: p.hasProjectPage[i] === 1,
    year: new Date(publishedAt).getUTCFullYear(),
  });

  const meta = Rng.derive(plan.seed, 'meta', i);
  // A later arXiv version on about a third of the papers, never after `now`.
  const revisedAt = publishedAt + Math.round((0.1 + 0.9 * meta.next()) * (plan.now - publishedAt));
  const arxivUpdatedAt = meta.chance(0.3) && revisedAt - publishedAt > HOUR_MS ? revisedAt : null;
  let journalRef: string | null = null;
  let doi: string | null = null;
  if (meta.chance(0.03)) {
    const journal = meta.pick(JOURNALS);
    const year = new Date(plan.now).getUTCFullYear();
    journalRef = `${journal.name} ${meta.int(30, 50)}(${meta.int(1, 12)}), ${meta.int(100, 900)}-${meta.int(901, 999)} (${year})`;
    doi = journal.doi && (journal.doi.endsWith('TPAMI') ? `${journal.doi}.${year}.${meta.int(3_000_000, 3_999_999)}` : `${journal.doi}-0${year % 100}-0${meta.int(1000, 9999)}-${meta.int(0, 9)}`);
  }
  const fromHf = meta.chance(0.35);
  const votes = p.votes[i]!;
  // Affiliations: each author has a home institution across papers (some list two); on a
  // given paper most co-authors share the last author's (the PI's) lab.
  const withAffiliations = meta.chance(0.55);
  const home = (author: number) => {
    const first = INSTITUTIONS[hashSeed(plan.seed, 'affiliation', author) % INSTITUTIONS.length]!;
    const h = hashSeed(plan.seed, 'second-affiliation', author);
    const second = INSTITUTIONS[h % INSTITUTIONS.length]!;
    return h % 100 < 8 && second !== first ? `${first}; ${second}` : first;
  };
  const lab = home(byline[byline.length - 1]!);
  const affiliations = byline.map((author, k) => {
    if (!withAffiliations) return null;
    return k === byline.length - 1 || !meta.chance(0.6) ? home(author) : lab;
  });
  return {
    ...text,
    arxivUpdatedAt,
    journalRef,
    doi,
    hfUpvotes: fromHf ? votes + Math.round(votes * (0.5 + 2.5 * meta.next())) + meta.int(0, 5) : null,
    hfComments: fromHf ? Math.floor(meta.exponential(1.5)) : null,
    hfSubmitterHandle: fromHf ? plan.hfSubmitters[Math.min(plan.hfSubmitters.length - 1, Math.floor(meta.exponential(3)))]! : null,
    organization: fromHf && meta.chance(0.5) ? meta.pick(ORGANIZATIONS) : null,
    ...(fromHf && meta.chance(0.85) ? { aiSummary: text.aiSummary, aiKeywords: text.aiKeywords } : { aiSummary: null, aiKeywords: null }),
    affiliations,
  };
}

/**
 * The voters of paper i (user indexes) and when they voted: from the start of the featured day
 * to `now`, most within the first day or two, a quarter spread evenly (old papers keep a trickle
 * of votes, which is what "trending" ranks).
 */
export function paperVotes(plan: CatalogPlan, i: number): { users: number[]; times: number[] } {
  const count = plan.papers.votes[i]!;
  if (count === 0) return { users: [], times: [] };
  const rng = Rng.derive(plan.seed, 'votes', i);
  const users = plan.voters.sampleDistinct(rng, count).sort((a, b) => a - b);
  const start = plan.papers.featuredDay[i]! * DAY_MS;
  const span = Math.max(0, plan.now - start);
  const times = users.map(() => {
    let offset = rng.chance(0.75) ? rng.exponential(18 * HOUR_MS) : rng.next() * span;
    if (offset > span) offset = rng.next() * span;
    return start + Math.floor(offset);
  });
  return { users, times };
}
