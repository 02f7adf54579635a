// What a client asked for beneath a field, read from the operation before anything is fetched,
// so that a list can read its papers' relations in the statement that reads the papers.
import { Kind, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** Paper fields that the byline and topics loaders answer. */
const RELATION_FIELDS = new Set(['authors', 'byline', 'topics']);

/**
 * Whether a paper's authors, byline or topics are selected anywhere beneath this field
 * (fragments followed). It may say yes for a same-named field of another type: that only costs
 * reading relations nobody shows, never a missing one.
 */
export function selectsRelations(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): boolean {
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode | undefined): boolean => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (RELATION_FIELDS.has(selection.name.value) || visit(selection.selectionSet)) return true;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (visit(selection.selectionSet)) return true;
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment: FragmentDefinitionNode | undefined = info.fragments[selection.name.value];
        if (visit(fragment?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
