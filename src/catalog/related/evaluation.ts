// How related papers are judged on real data (bench/relatedness.ts for the term path,
// test/embeddings.test.ts for embeddings): a paper's labels are its Hugging Face keywords (lower
// case) and its topics; a list of neighbours scores the share of them that share a label with
// the paper, averaged over the papers judged; 5 random papers are the baseline.
import type { Db } from '../../platform/db/client.ts';
import { LISTED } from '../papers/index.ts';

export interface Labelled {
  /** Every listed paper, by id. */
  ids: number[];
  /** The papers with at least one label: the ones judged. */
  labelled: number[];
  labels: Map<number, Set<string>>;
}

export async function relatednessLabels(db: Db): Promise<Labelled> {
  const rows = await db.$queryRaw<{ id: number; labels: string[] }[]>`
    SELECT p.id, array_remove(array_cat(
        coalesce((SELECT array_agg(DISTINCT lower(k)) FROM jsonb_array_elements_text(
          CASE WHEN jsonb_typeof(p."aiKeywords") = 'array' THEN p."aiKeywords" ELSE '[]'::jsonb END) k), '{}'),
        coalesce((SELECT array_agg('#' || pt."topicId") FROM "PaperTopic" pt WHERE pt."paperId" = p.id), '{}')), NULL) AS labels
    FROM "Paper" p WHERE ${LISTED} ORDER BY p.id`;
  return {
    ids: rows.map((row) => row.id),
    labelled: rows.filter((row) => row.labels.length > 0).map((row) => row.id),
    labels: new Map(rows.map((row) => [row.id, new Set(row.labels)])),
  };
}

/**
 * The mean share of each judged paper's neighbours that share a label with it, over the papers
 * that have neighbours (`papers`: how many).
 */
export function labelShare(
  { labels }: Pick<Labelled, 'labels'>,
  judged: readonly number[],
  neighbours: (id: number) => readonly number[],
): { share: number; papers: number } {
  let sum = 0;
  let papers = 0;
  for (const id of judged) {
    const list = neighbours(id);
    if (list.length === 0) continue;
    const own = labels.get(id)!;
    sum += list.filter((other) => [...(labels.get(other) ?? [])].some((label) => own.has(label))).length / list.length;
    papers++;
  }
  return { share: sum / Math.max(papers, 1), papers };
}

/** `labelShare` of `top` random other listed papers, averaged over `draws` draws of `random`. */
export function randomLabelShare(data: Labelled, judged: readonly number[], top: number, random: () => number, draws = 20): number {
  let sum = 0;
  for (let draw = 0; draw < draws; draw++) {
    sum += labelShare(data, judged, (id) => {
      const chosen = new Set<number>();
      while (chosen.size < Math.min(top, data.ids.length - 1)) {
        const other = data.ids[Math.floor(random() * data.ids.length)]!;
        if (other !== id) chosen.add(other);
      }
      return [...chosen];
    }).share;
  }
  return sum / draws;
}
