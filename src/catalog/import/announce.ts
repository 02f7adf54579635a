// Live events for what an import changed, sent after its transaction committed (never before:
// a subscriber must not see a paper a rollback then takes away). The same events as votes and
// curation: `paperUpdated` on the paper's channel, `papersFeatured` on the featured channel with
// the paper's topic slugs (src/platform/events/bus.ts).
//
// Rows are loaded a batch at a time, so announcing a 100k-paper import holds one batch, not the
// import. Hidden papers are never announced as featured (subscribers filter by viewer too).
import type { Db } from '../../platform/db/client.ts';
import type { CatalogEvents } from '../../platform/events/bus.ts';
import type { PaperChanges } from './writer.ts';
import { listedPaper } from '../papers/index.ts';

const BATCH = 500;

export async function announceChanges(db: Db, events: CatalogEvents, changes: PaperChanges): Promise<void> {
  for (let i = 0; i < changes.updated.length; i += BATCH) {
    const ids = changes.updated.slice(i, i + BATCH);
    for (const paper of await db.paper.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } })) events.paperUpdated(paper);
  }
  for (let i = 0; i < changes.featured.length; i += BATCH) {
    const ids = changes.featured.slice(i, i + BATCH);
    const [papers, links] = await Promise.all([
      db.paper.findMany({ where: { id: { in: ids }, ...listedPaper }, orderBy: [{ featuredOn: 'asc' }, { id: 'asc' }] }),
      db.paperTopic.findMany({ where: { paperId: { in: ids } }, select: { paperId: true, topic: { select: { slug: true } } } }),
    ]);
    const slugs = new Map<number, string[]>();
    for (const link of links) {
      let list = slugs.get(link.paperId);
      if (!list) slugs.set(link.paperId, (list = []));
      list.push(link.topic.slug);
    }
    for (const paper of papers) events.paperFeatured(paper, (slugs.get(paper.id) ?? []).sort());
  }
}
