// The webhook events of an import (src/platform/events/outbox.ts), written at the end of its
// transaction: `papers.featured` per day that gained listed papers, and `paper.updated` for each
// listed paper it changed. A batch at a time, so a 100k-paper import holds one batch of rows.
import type { Prisma } from '../../generated/prisma/client.ts';
import { writeOutbox } from '../../platform/events/outbox.ts';
import { featuredEvents, papersUpdatedEvents } from '../papers/index.ts';
import type { PaperChanges } from './writer.ts';

const BATCH = 1000;

export async function writeImportEvents(tx: Prisma.TransactionClient, changes: PaperChanges): Promise<void> {
  // One `papers.featured` per day for the whole import: the days' ids together.
  if (changes.featured.length > 0) await writeOutbox(tx, await featuredEvents(tx, changes.featured));
  for (let i = 0; i < changes.updated.length; i += BATCH) {
    const events = await papersUpdatedEvents(tx, changes.updated.slice(i, i + BATCH), ['import']);
    if (events.length > 0) await writeOutbox(tx, events);
  }
}
