// Strings no argument of a query may carry: NUL (PostgreSQL refuses it in text, and the query
// would fail as a masked database error), the other control characters but tab, line feed and
// carriage return (no name, slug, search or cursor has them), and unpaired UTF-16 surrogates
// (JSON's "\ud800" escape makes them; the database driver would silently store U+FFFD instead).
// A query's arguments are refused up front with BAD_USER_INPUT, naming the argument.
// Mutations are left to their own input checks (src/platform/validation.ts), which answer in the
// payload's `userErrors`, naming the input field; test/hostile-inputs.test.ts tries every one.
import { BREAK, Kind, visit, type ArgumentNode, type ASTNode, type DocumentNode } from 'graphql';
import { badInput, truncate } from '../../platform/errors.ts';

const UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function refusal(where: string, argumentName: string | undefined) {
  const error = badInput(
    `Text must not contain control characters (but tab and line breaks) or unpaired UTF-16 surrogates; found one in ${truncate(where, 80)}`,
    argumentName,
  );
  error.extensions.http = { status: 400 };
  return error;
}

/** The first argument (its name) whose value holds `node`, or a use of variable `$variable`. */
export function argumentHolding(document: DocumentNode, target: { node: ASTNode } | { variable: string }): string | undefined {
  let found: string | undefined;
  const stack: ArgumentNode[] = [];
  visit(document, {
    Argument: {
      enter(node) {
        stack.push(node);
      },
      leave() {
        stack.pop();
      },
    },
    enter(node) {
      const hit = 'node' in target ? node === target.node : node.kind === Kind.VARIABLE && node.name.value === target.variable && stack.length > 0;
      if (!hit || stack.length === 0) return undefined;
      found = stack[0]!.name.value;
      return BREAK;
    },
  });
  return found;
}

// Per parsed document: Apollo keeps one DocumentNode per distinct query text, so a document
// sent again is not walked again.
const literalsChecked = new WeakMap<DocumentNode, { argumentName: string | undefined } | null>();

function unstorableLiteral(document: DocumentNode): { argumentName: string | undefined } | null {
  let found = literalsChecked.get(document);
  if (found === undefined) {
    found = null;
    visit(document, {
      StringValue(node) {
        if (!UNSTORABLE.test(node.value)) return undefined;
        found = { argumentName: argumentHolding(document, { node }) };
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
  if (path !== undefined) throw refusal(path, argumentHolding(document, { variable: /^\$([^.[]+)/.exec(path)![1]! }));
  const literal = unstorableLiteral(document);
  if (literal) throw refusal('a string literal of the document', literal.argumentName);
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
