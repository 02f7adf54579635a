// What a client asked for beneath a field, read from the operation before anything is fetched,
// so that a list reads what its papers will show and nothing more: their relations in the
// statement that reads the papers, and the long text columns only when a field shows them.
import {
  getNamedType,
  isAbstractType,
  isObjectType,
  isInterfaceType,
  Kind,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** Paper fields that the byline and topics loaders answer. */
const RELATION_FIELDS = new Set(['authors', 'byline', 'topics']);

/**
 * Paper fields answered from the LISTING_COLUMNS (src/catalog/papers/columns.ts) alone, or from the
 * loaders. A Paper field missing here (a new one, `abstract`, `huggingFace`, `related`...) makes
 * the list read every column: forgetting to add a field costs speed, never a missing value.
 */
const LISTING_FIELDS = new Set([
  '__typename', 'id', 'arxivId', 'title', 'publishedAt', 'featuredOn', 'authors', 'byline', 'topics', 'upvotes',
  'githubRepo', 'githubStars', 'projectPage', 'arxivUrl', 'pdfUrl', 'submittedBy', 'viewerHasUpvoted', 'hiddenAt',
  'arxivUpdatedAt', 'primaryCategory', 'doi', 'organization', 'commentCount', 'createdAt', 'updatedAt',
]);

export interface PaperSelection {
  /** Authors, byline or topics are shown: read them with the papers (`RELATION_COLUMNS`). */
  withRelations: boolean;
  /** Only LISTING_FIELDS of the papers are shown: `listing` columns are enough. */
  columns: 'listing' | 'all';
}

type Info = Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'returnType' | 'schema'>;

/**
 * What the papers beneath this field (a list or a paper) show, walked with the schema's types
 * (fragments followed, each once, so a "fragment bomb" costs its length). Relations are told by
 * field name at any depth: a same-named field of another type only costs reading relations
 * nobody shows. Columns are told by the fields of Paper (or of an interface Paper implements).
 */
export function paperSelection(info: Info): PaperSelection {
  const paper = info.schema.getType('Paper');
  const isPaper = (type: GraphQLNamedType) =>
    type === paper || (isAbstractType(type) && isObjectType(paper) && info.schema.isSubType(type, paper));
  const selection: PaperSelection = { withRelations: false, columns: 'listing' };
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, type: GraphQLNamedType | undefined): void => {
    for (const node of set?.selections ?? []) {
      if (node.kind === Kind.FIELD) {
        const name = node.name.value;
        if (RELATION_FIELDS.has(name)) selection.withRelations = true;
        if (type && isPaper(type) && !LISTING_FIELDS.has(name)) selection.columns = 'all';
        const field = type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[name] : undefined;
        // A field the walk cannot type (none in a validated operation) could be anything.
        if (!field && name !== '__typename') selection.columns = 'all';
        if (node.selectionSet) visit(node.selectionSet, field && getNamedType(field.type));
      } else if (node.kind === Kind.INLINE_FRAGMENT) {
        visit(node.selectionSet, node.typeCondition ? info.schema.getType(node.typeCondition.name.value) : type);
      } else if (!seen.has(node.name.value)) {
        seen.add(node.name.value);
        const fragment = info.fragments[node.name.value];
        if (fragment) visit(fragment.selectionSet, info.schema.getType(fragment.typeCondition.name.value));
      }
    }
  };
  const returned = getNamedType(info.returnType);
  for (const node of info.fieldNodes) visit(node.selectionSet, returned);
  return selection;
}
