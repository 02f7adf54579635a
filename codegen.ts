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
        federation: true,
        contextType: '../catalog/context.ts#Context',
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
          // What a paper shows of its authors and topics (src/catalog/papers/loaders.ts): whole rows fit too.
          Author: '../catalog/papers/loaders.ts#AuthorParent as AuthorRow',
          Topic: '../catalog/papers/loaders.ts#TopicParent as TopicRow',
          User: `${prisma}#User as UserRow`,
          ApiToken: `${prisma}#ApiToken as ApiTokenRow`,
          BylineEntry: `${prisma}#PaperAuthor as BylineRow`,
          HuggingFacePaper: `${prisma}#Paper as HuggingFaceRow`,
          TopicConnection: '../platform/pagination/connection.ts#Connection<TopicRow>',
          PaperEdge: '../catalog/papers/list.ts#PaperEdge as PaperEdgeRow',
          PaperConnection: '../catalog/papers/list.ts#PaperConnection as PaperConnectionRow',
          PaperFacets: '../catalog/papers/facets.ts#FacetSource',
          TopicCount: '../catalog/papers/facets.ts#TopicCountRow',
          DailyPapers: '../catalog/papers/daily.ts#DailyPapersRow',
          AuthorConnection: '../platform/pagination/connection.ts#Connection<AuthorRow>',
          AuthorEdge: '../platform/pagination/connection.ts#Edge<AuthorRow>',
          TopicEdge: '../platform/pagination/connection.ts#Edge<TopicRow>',
          AuthorClaim: `${prisma}#AuthorClaim as AuthorClaimRow`,
          AuthorClaimConnection: '../platform/pagination/connection.ts#Connection<AuthorClaimRow>',
          AuthorClaimEdge: '../platform/pagination/connection.ts#Edge<AuthorClaimRow>',
          HuggingFaceOrganization: '../catalog/papers/hugging-face.ts#HfOrganization',
          HuggingFaceLinks: '../catalog/papers/hugging-face.ts#HfLinks',
          Comment: `${prisma}#Comment as CommentRow`,
          CommentConnection: '../platform/pagination/connection.ts#Connection<CommentRow>',
          CommentEdge: '../platform/pagination/connection.ts#Edge<CommentRow>',
          Follow: `${prisma}#Follow as FollowRow`,
          FollowEdge: '../platform/pagination/connection.ts#Edge<FollowRow>',
          FollowConnection: '../platform/pagination/connection.ts#Connection<FollowRow>',
          Collection: `${prisma}#Collection as CollectionRow`,
          CollectionEdge: '../platform/pagination/connection.ts#Edge<CollectionRow>',
          CollectionConnection: '../platform/pagination/connection.ts#Connection<CollectionRow>',
          CollectionItem: '../catalog/collections/reads.ts#CollectionItemRow',
          CollectionItemEdge: '../platform/pagination/connection.ts#Edge<CollectionItemRow>',
          CollectionItemConnection: '../platform/pagination/connection.ts#Connection<CollectionItemRow>',
          CitationConnection: '../catalog/citation-graph/reads.ts#CitationConnectionRow',
          CitationEdge: '../catalog/citation-graph/reads.ts#CitationEdgeRow',
          ExternalPaper: '../catalog/citation-graph/reads.ts#ExternalPaperRow',
          CitationCount: '../catalog/citation-graph/reads.ts#CitationCountRow',
          CitationTotal: '../catalog/citation-graph/reads.ts#CitationTotalRow',
          MostCitedPaperConnection: '../catalog/citation-graph/reads.ts#MostCitedConnectionRow',
          MostCitedPaperEdge: '../catalog/citation-graph/reads.ts#MostCitedEdgeRow',
          CitationAdded: '../platform/events/bus.ts#CitationAddition as CitationAdditionRow',
          Webhook: `${prisma}#WebhookEndpoint as WebhookRow`,
          WebhookEdge: '../platform/pagination/connection.ts#Edge<WebhookRow>',
          WebhookConnection: '../platform/pagination/connection.ts#Connection<WebhookRow>',
          WebhookDelivery: '../catalog/webhooks/reads.ts#WebhookDeliveryRow',
          WebhookDeliveryEdge: '../platform/pagination/connection.ts#Edge<WebhookDeliveryRow>',
          WebhookDeliveryConnection: '../platform/pagination/connection.ts#Connection<WebhookDeliveryRow>',
        },
      },
    },
  },
};

export default config;
