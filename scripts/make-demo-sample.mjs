// Rebuilds src/catalog/demo/sample/ (the real papers an empty embedded catalog is filled with on first
// start) from the real data folder: a few days of Hugging Face Daily Papers responses, each
// entry trimmed to the fields the importer reads (src/catalog/import/hf-daily-papers.ts), and one arXiv
// API response as it is. Usage: node scripts/make-demo-sample.mjs [../shared/data]
import fs from 'node:fs';
import path from 'node:path';

const DATA = process.argv[2] ?? '../shared/data';
const OUT = new URL('../src/catalog/demo/sample/', import.meta.url).pathname;

/** The twelve weekdays of 2026-07-16..31 (trending, day-by-day navigation), and five older days with topics. */
export const HF_DAYS = [
  '2025-05-30', '2025-10-03', '2025-12-01', '2026-02-03', '2026-05-12',
  '2026-07-16', '2026-07-17', '2026-07-20', '2026-07-21', '2026-07-22', '2026-07-23',
  '2026-07-24', '2026-07-27', '2026-07-28', '2026-07-29', '2026-07-30', '2026-07-31',
];
const ARXIV_FILES = ['query-current-affiliations.xml'];

/** Keeps `keys` of `obj` that are present (absent stays absent: the importer tells the two apart from null only as "not said"). */
function pick(obj, keys) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return obj;
  const out = {};
  for (const key of keys) if (key in obj) out[key] = obj[key];
  return out;
}
const named = (obj) => pick(obj, ['name']);
const org = (obj) => pick(obj, ['name', 'fullname']);

function trimEntry(entry) {
  const p = entry.paper;
  const paper = pick(p, [
    'id', 'title', 'summary', 'publishedAt', 'submittedOnDailyAt', 'upvotes', 'githubRepo', 'githubStars',
    'projectPage', 'ai_summary', 'ai_keywords', 'mediaUrls',
  ]);
  paper.authors = (p.authors ?? []).map((a) => pick(a, ['name', 'hidden']));
  if (p.submittedOnDailyBy) paper.submittedOnDailyBy = named(p.submittedOnDailyBy);
  if (p.organization) paper.organization = org(p.organization);
  // The entry's own title and summary stand in only where the paper lacks them.
  const out = { paper, ...pick(entry, ['numComments']) };
  if (paper.title === undefined && 'title' in entry) out.title = entry.title;
  if (paper.summary === undefined && 'summary' in entry) out.summary = entry.summary;
  if (entry.submittedBy) out.submittedBy = named(entry.submittedBy);
  if (entry.organization) out.organization = org(entry.organization);
  // Hugging Face links (Paper.huggingFace): the thumbnail (`mediaUrl` in the oldest files), media
  // and the submitter's organisation; the Hub's models/datasets/spaces lists when present.
  Object.assign(out, pick(entry, ['thumbnail', 'mediaUrl', 'mediaUrls', 'models', 'datasets', 'spaces']));
  if (entry.submitterOrganization) out.submitterOrganization = pick(entry.submitterOrganization, ['name', 'fullname', 'avatar']);
  return out;
}

fs.mkdirSync(path.join(OUT, 'hf-daily-papers'), { recursive: true });
fs.mkdirSync(path.join(OUT, 'arxiv-atom'), { recursive: true });
let papers = 0;
for (const day of HF_DAYS) {
  const entries = JSON.parse(fs.readFileSync(path.join(DATA, 'hf-daily-papers', `${day}.json`), 'utf8'));
  papers += entries.length;
  // One entry per line: small, and a diff shows which paper changed.
  const text = `[\n${entries.map((e) => JSON.stringify(trimEntry(e))).join(',\n')}\n]\n`;
  fs.writeFileSync(path.join(OUT, 'hf-daily-papers', `${day}.json`), text);
}
for (const file of ARXIV_FILES) fs.copyFileSync(path.join(DATA, 'arxiv-atom', file), path.join(OUT, 'arxiv-atom', file));
console.log(`${HF_DAYS.length} Hugging Face days (${papers} entries) and ${ARXIV_FILES.length} arXiv response(s) written to ${OUT}`);
