// Strings that no text column can hold: NUL (Postgres refuses it in text, and the query would
// fail as a masked database error) and unpaired UTF-16 surrogates (JSON's "\ud800" escape makes
// them; the database driver would silently store U+FFFD instead). A query's arguments are refused
// up front with BAD_USER_INPUT. Mutations are left to their own input checks (src/platform/validation.ts),
// which answer in the payload's `userErrors`, naming the field.
import { BREAK, visit, type DocumentNode } from 'graphql';
import { badInput, truncate } from '../../platform/errors.ts';

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function refusal(where: string) {
  const error = badInput(`Text must not contain NUL characters or unpaired UTF-16 surrogates; found one in ${truncate(where, 80)}`);
  error.extensions.http = { status: 400 };
  return error;
}

// Per parsed document: Apollo keeps one DocumentNode per distinct query text, so a document
// sent again is not walked again.
const literalsChecked = new WeakMap<DocumentNode, boolean>();

function hasUnstorableLiteral(document: DocumentNode): boolean {
  let found = literalsChecked.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      StringValue(node) {
        if (!UNSTORABLE.test(node.value)) return undefined;
        found = true;
        return BREAK;
      },
    });
    literalsChecked.set(document, found);
  }
  return found;
}

/** Throws BAD_USER_INPUT for the first unstorable string among the variables or the document's literals. */
export function rejectUnstorableStrings(document: DocumentNode, variables: Record<string, unknown> | undefined): void {
  const path = variables ? unstorableStringPath(variables) : undefined;
  if (path !== undefined) throw refusal(path);
  if (hasUnstorableLiteral(document)) throw refusal('a string literal of the document');
}

/**
 * Where (`$input.authors[2]`) the first unstorable string is in parsed JSON, or undefined. Walks
 * with an explicit stack: the value can be nested as deep as a megabyte of brackets allows.
 */
export function unstorableStringPath(variables: Record<string, unknown>): string | undefined {
  const stack: [unknown, string][] = Object.entries(variables).map(([name, value]) => [value, `$${name}`]);
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return path;
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push([item, `${path}[${index}]`]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) stack.push([item, `${path}.${key}`]);
    }
  }
  return undefined;
}
