// Every root field has an explicit access decision, and the decisions hold.
import { loadConfig } from '../src/config.ts';
import { ACCESS } from '../src/graphql/access.ts';
import { createGraphQL } from '../src/graphql/schema.ts';
import { toGlobalId } from '../src/platform/global-id.ts';
import { setupTestRunner } from './helpers/runner.ts';

// The schema served, federation's root fields (`_entities`, `_service`) included.
const { schema } = createGraphQL(loadConfig({ NODE_ENV: 'test' }));

test.each(['Query', 'Mutation', 'Subscription'] as const)('every %s field has an access decision, and every decision a field', (type) => {
  const fields = Object.keys(schema.getType(type) && 'getFields' in schema.getType(type)! ? (schema.getType(type) as any).getFields() : {});
  expect(fields.length).toBeGreaterThan(0);
  expect(Object.keys(ACCESS[type]).sort()).toEqual(fields.sort());
});

describe('decisions are enforced', () => {
  const run = setupTestRunner();

  const someId = toGlobalId('Paper', 1);
  const someTopic = toGlobalId('Topic', 1);
  const someAuthor = toGlobalId('Author', 1);
  const someClaim = toGlobalId('AuthorClaim', 1);
  // One call per mutation, with arguments that would pass validation.
  const calls: Record<string, string> = {
    upvotePaper: `upvotePaper(paperId: "${someId}") { paper { id } }`,
    removeUpvote: `removeUpvote(paperId: "${someId}") { paper { id } }`,
    submitPaper: `submitPaper(input: { arxivId: "2401.00001", title: "T", abstract: "A", authors: ["X"] }) { paper { id } }`,
    updatePaperLinks: `updatePaperLinks(input: { paperId: "${someId}", githubRepo: null }) { paper { id } }`,
    hidePaper: `hidePaper(paperId: "${someId}") { paper { id } }`,
    unhidePaper: `unhidePaper(paperId: "${someId}") { paper { id } }`,
    tagPaper: `tagPaper(paperId: "${someId}", topicId: "${someTopic}") { paper { id } }`,
    untagPaper: `untagPaper(paperId: "${someId}", topicId: "${someTopic}") { paper { id } }`,
    createTopic: `createTopic(input: { name: "Robotics" }) { topic { id } }`,
    updateTopic: `updateTopic(input: { topicId: "${someTopic}", name: "R" }) { topic { id } }`,
    createApiToken: `createApiToken(name: "laptop") { token }`,
    revokeApiToken: `revokeApiToken(id: "${toGlobalId('ApiToken', 1)}") { apiToken { id } }`,
    importPapers: `importPapers(input: { arxivId: "2401.00001" }) { summary { papersCreated } }`,
    subscribeDigest: `subscribeDigest(input: { email: "reader@example.org", frequency: DAILY }) { status }`,
    claimAuthor: `claimAuthor(input: { authorId: "${someAuthor}", orcid: "0000-0002-1825-0097" }) { claim { id } }`,
    approveAuthorClaim: `approveAuthorClaim(claimId: "${someClaim}") { claim { id } }`,
    rejectAuthorClaim: `rejectAuthorClaim(claimId: "${someClaim}", reason: "Not this person") { claim { id } }`,
    mergeAuthors: `mergeAuthors(input: { keepAuthorId: "${someAuthor}", removeAuthorId: "${toGlobalId('Author', 2)}" }) { author { id } }`,
    splitAuthor: `splitAuthor(input: { authorId: "${someAuthor}", paperIds: ["${someId}"] }) { newAuthor { id } }`,
    addComment: `addComment(input: { paperId: "${someId}", body: "Nice" }) { comment { id } }`,
    editComment: `editComment(input: { commentId: "${toGlobalId('Comment', 1)}", body: "Nicer" }) { comment { id } }`,
    deleteComment: `deleteComment(commentId: "${toGlobalId('Comment', 1)}") { comment { id } }`,
    hideComment: `hideComment(commentId: "${toGlobalId('Comment', 1)}", reason: "spam") { comment { id } }`,
    followAuthor: `followAuthor(authorId: "${toGlobalId('Author', 1)}") { follow { id } }`,
    followTopic: `followTopic(topicId: "${someTopic}") { follow { id } }`,
    unfollow: `unfollow(id: "${toGlobalId('Follow', 1)}") { unfollowedId }`,
    rotateFeedToken: `rotateFeedToken { feedPath }`,
    createCollection: `createCollection(input: { name: "Reading" }) { collection { id } }`,
    addToCollection: `addToCollection(collectionId: "${toGlobalId('Collection', 1)}", paperId: "${someId}") { collection { id } }`,
    removeFromCollection: `removeFromCollection(collectionId: "${toGlobalId('Collection', 1)}", paperId: "${someId}") { collection { id } }`,
    moveInCollection: `moveInCollection(collectionId: "${toGlobalId('Collection', 1)}", paperId: "${someId}") { collection { id } }`,
    createWebhook: `createWebhook(input: { url: "https://93.184.215.14/hooks", events: [PAPER_UPDATED] }) { secret }`,
    updateWebhook: `updateWebhook(input: { webhookId: "${toGlobalId('Webhook', 1)}", enabled: false }) { webhook { id } }`,
    rotateWebhookSecret: `rotateWebhookSecret(webhookId: "${toGlobalId('Webhook', 1)}") { secret }`,
    deleteWebhook: `deleteWebhook(webhookId: "${toGlobalId('Webhook', 1)}") { deletedWebhookId }`,
    replayWebhookDelivery: `replayWebhookDelivery(deliveryId: "${toGlobalId('WebhookDelivery', 1)}") { replayed }`,
    replayWebhookDeliveries: `replayWebhookDeliveries(webhookId: "${toGlobalId('Webhook', 1)}", since: "2026-01-01T00:00:00Z", until: "2026-01-02T00:00:00Z") { replayed }`,
  };

  // Root queries that are not public, one call each: anonymous and readers are refused.
  const queryCalls: Record<string, string> = {
    pendingAuthorClaims: `pendingAuthorClaims { totalCount }`,
    webhooks: `webhooks { totalCount }`,
  };

  test('every non-public query has a call in this test', () => {
    const guarded = Object.entries(ACCESS.Query).filter(([, access]) => access !== 'public').map(([field]) => field);
    expect(Object.keys(queryCalls).sort()).toEqual(guarded.sort());
  });

  test.each(Object.entries(queryCalls))('anonymous and reader %s: refused', async (field) => {
    const reader = await run.db.user.create({ data: { handle: 'reader', displayName: 'R' } });
    expect((await run.server.gql(`{ ${queryCalls[field]} }`)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const access = ACCESS.Query[field];
    const asReader = await run.server.as(reader).gql(`{ ${queryCalls[field]} }`);
    if (access === 'signedIn') expect(asReader.errors).toBeUndefined();
    else expect(asReader.errors?.[0]).toMatchObject({ message: access === 'admin' ? 'This needs the admin role' : 'This needs the curator or admin role', extensions: { code: 'FORBIDDEN' } });
  });

  test('every mutation has a call in this test', () => {
    expect(Object.keys(calls).sort()).toEqual(Object.keys(ACCESS.Mutation).sort());
  });

  test.each(Object.entries(ACCESS.Mutation))('anonymous %s: refused unless public', async (field, access) => {
    const result = await run.server.gql(`mutation { ${calls[field]} }`);
    if (access === 'public') expect(result.errors).toBeUndefined();
    else expect(result.errors?.[0]).toMatchObject({ message: 'Sign in first: send an API token as Authorization: Bearer <token>', extensions: { code: 'UNAUTHENTICATED' } });
  });

  test.each(Object.entries(ACCESS.Mutation))('a reader calling %s: refused when it needs a role', async (field, access) => {
    const reader = await run.db.user.create({ data: { handle: 'reader', displayName: 'R' } });
    const result = await run.server.as(reader).gql(`mutation { ${calls[field]} }`);
    if (access === 'curator' || access === 'admin') {
      expect(result.errors?.[0]).toMatchObject({ message: 'This needs the curator or admin role', extensions: { code: 'FORBIDDEN' } });
      expect(await run.db.curationEvent.count()).toBe(0);
      expect(await run.db.topic.count()).toBe(0);
      expect(await run.db.authorClaim.count()).toBe(0);
      expect(await run.db.author.count()).toBe(0);
    } else {
      // It may fail for other reasons (nothing exists here), but never for access.
      expect(['UNAUTHENTICATED', 'FORBIDDEN']).not.toContain(result.errors?.[0]?.extensions?.code);
    }
  });
});
