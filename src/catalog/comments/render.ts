// Comment bodies: Markdown in, sanitised HTML out. Two maintained libraries, two walls:
//   1. markdown-it with `html: false` never passes raw HTML through (a `<script>` in the source
//      comes out as the text "&lt;script&gt;"), and its validateLink refuses javascript:,
//      vbscript:, file: and data: link targets;
//   2. sanitize-html then keeps only the tags and attributes below, and links only to http(s)
//      and mailto, whatever step 1 produced: a bug or a plugin there cannot open a hole here.
// Images are not allowed (a comment must not make readers' browsers fetch what it names).
//
// DANGER: the output is inserted into pages as HTML by clients. Loosen nothing here without a
// test in test/comments.test.ts that feeds the new tag or attribute hostile input.
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/** Longest comment source, in characters (UTF-16 code units, as GraphQL strings count). */
export const MAX_COMMENT_LENGTH = 10_000;

const markdown = new MarkdownIt('commonmark', { html: false, linkify: false, typographer: false }).disable('image');

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'hr', 'strong', 'em', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  allowedAttributes: { a: ['href'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
  transformTags: {
    // Only absolute links: a relative one would resolve against whatever page shows the comment
    // (and `java%09script:` is "relative"). Every link is marked as user content and cannot
    // reach back through window.opener.
    a: (tagName, attribs) => {
      const href = attribs.href ?? '';
      const absolute = /^(https?:\/\/|mailto:)/i.test(href);
      return { tagName, attribs: { ...(absolute ? { href } : {}), rel: 'nofollow ugc noopener noreferrer' } };
    },
  },
};
// rel is set by the transform above, so it must be allowed through too.
(SANITIZE.allowedAttributes as Record<string, string[]>).a!.push('rel');

/** The HTML of a comment's Markdown source: safe to insert into a page as it is. */
export function renderComment(source: string): string {
  return sanitizeHtml(markdown.render(source), SANITIZE).trim();
}
