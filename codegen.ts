// Resolver types from schema.graphql, with the Prisma rows as parents (mappers): a resolver
// that does not fit the schema fails `npm run typecheck`.
import type { CodegenConfig } from '@graphql-codegen/cli';

const prisma = '../generated/prisma/client.ts';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useIndexSignature: false,
        contextType: '../context.ts#Context',
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: {
          DateTime: 'Date',
          Date: { input: 'Date', output: 'Date | string' },
          URL: { input: 'URL', output: 'URL | string' },
          NonNegativeInt: 'number',
        },
        mappers: {
          Paper: `${prisma}#Paper as PaperRow`,
          // What a paper shows of its authors and topics (src/loaders): whole rows fit too.
          Author: '../loaders/index.ts#AuthorParent as AuthorRow',
          Topic: '../loaders/index.ts#TopicParent as TopicRow',
          User: `${prisma}#User as UserRow`,
          ApiToken: `${prisma}#ApiToken as ApiTokenRow`,
          BylineEntry: `${prisma}#PaperAuthor as BylineRow`,
          HuggingFacePaper: `${prisma}#Paper as HuggingFaceRow`,
          TopicConnection: '../pagination/connection.ts#Connection<TopicRow>',
          PaperEdge: '../papers/list.ts#PaperEdge as PaperEdgeRow',
          PaperConnection: '../papers/list.ts#PaperConnection as PaperConnectionRow',
          PaperFacets: '../papers/facets.ts#FacetSource',
          TopicCount: '../papers/facets.ts#TopicCountRow',
          DailyPapers: '../papers/daily.ts#DailyPapersRow',
          AuthorConnection: '../pagination/connection.ts#Connection<AuthorRow>',
          AuthorEdge: '../pagination/connection.ts#Edge<AuthorRow>',
          TopicEdge: '../pagination/connection.ts#Edge<TopicRow>',
          AuthorClaim: `${prisma}#AuthorClaim as AuthorClaimRow`,
          AuthorClaimConnection: '../pagination/connection.ts#Connection<AuthorClaimRow>',
          AuthorClaimEdge: '../pagination/connection.ts#Edge<AuthorClaimRow>',
          HuggingFaceOrganization: '../papers/hugging-face.ts#HfOrganization',
          HuggingFaceLinks: '../papers/hugging-face.ts#HfLinks',
          Comment: `${prisma}#Comment as CommentRow`,
          CommentConnection: '../pagination/connection.ts#Connection<CommentRow>',
          CommentEdge: '../pagination/connection.ts#Edge<CommentRow>',
          Follow: `${prisma}#Follow as FollowRow`,
          FollowEdge: '../pagination/connection.ts#Edge<FollowRow>',
          FollowConnection: '../pagination/connection.ts#Connection<FollowRow>',
          Collection: `${prisma}#Collection as CollectionRow`,
          CollectionEdge: '../pagination/connection.ts#Edge<CollectionRow>',
          CollectionConnection: '../pagination/connection.ts#Connection<CollectionRow>',
          CollectionItem: '../collections/reads.ts#CollectionItemRow',
          CollectionItemEdge: '../pagination/connection.ts#Edge<CollectionItemRow>',
          CollectionItemConnection: '../pagination/connection.ts#Connection<CollectionItemRow>',
        },
      },
    },
  },
};

export default config;
