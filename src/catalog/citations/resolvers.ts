// Paper.citation (Collection.citation is the collections domain's, through ./cite.ts).
import type { PaperResolvers } from '../../generated/graphql.ts';
import { citePapers } from './cite.ts';

export const Paper: Pick<PaperResolvers, 'citation'> = {
  // The parent is a paper this viewer may see: the field adds nothing about visibility.
  citation: (paper, { format }, ctx) => citePapers(ctx.loaders, [paper], format, ctx.deadline),
};
