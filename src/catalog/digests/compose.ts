// The emails: a digest (HTML and plain text, same content) and a confirmation request.
// Pure functions of their input, so tests and previews need no SMTP.
import type { DigestFrequency } from '../../generated/prisma/client.ts';
import { arxivAbsUrl } from '../papers/index.ts';
import { escapeHtml, safeHref } from '../../platform/html.ts';

export interface DigestPaper {
  arxivId: string;
  title: string;
  abstract: string;
  authors: string[];
  topics: { slug: string; name: string }[];
  upvotes: number;
  githubRepo: string | null;
}

export interface DigestSettings {
  frequency: DigestFrequency;
  topics: string[];
  minUpvotes: number;
}

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
}

const SUMMARY_CHARS = 300;
const BYLINE_AUTHORS = 3;

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 20))}…`;
}

function byline(authors: string[]): string {
  if (authors.length === 0) return '';
  return authors.length > BYLINE_AUTHORS ? `${authors.slice(0, BYLINE_AUTHORS).join(', ')} et al.` : authors.join(', ');
}

function describeSettings(settings: DigestSettings): string {
  const how = { DAILY: 'Daily', WEEKDAYS: 'Weekday', WEEKLY: 'Weekly' }[settings.frequency];
  const topics = settings.topics.length ? ` in ${settings.topics.join(', ')}` : '';
  const votes = settings.minUpvotes > 0 ? ` with at least ${settings.minUpvotes} upvotes` : '';
  return `${how} digest of trending papers${topics}${votes}`;
}

function periodTitle(frequency: DigestFrequency, period: string): string {
  return frequency === 'WEEKLY' ? `Trending papers of week ${period}` : `Trending papers of ${period}`;
}

export function composeDigest(input: { settings: DigestSettings; period: string; papers: DigestPaper[]; unsubscribeUrl: string }): ComposedEmail {
  const { settings, period, papers, unsubscribeUrl } = input;
  const title = periodTitle(settings.frequency, period);
  const about = describeSettings(settings);

  const textItems = papers.map((paper, i) => {
    const lines = [`${i + 1}. ${paper.title.replace(/\s+/g, ' ')}`];
    const meta = [byline(paper.authors), `${paper.upvotes} upvote${paper.upvotes === 1 ? '' : 's'}`].filter(Boolean).join(' · ');
    lines.push(`   ${meta}`);
    lines.push(`   ${arxivAbsUrl(paper.arxivId)}${paper.githubRepo ? `  code: ${paper.githubRepo}` : ''}`);
    lines.push(`   ${shorten(paper.abstract, SUMMARY_CHARS)}`);
    return lines.join('\n');
  });
  const text = `${title}\n${'='.repeat(title.length)}\n\n${textItems.join('\n\n')}\n\n--\n${about}.\nUnsubscribe: ${unsubscribeUrl}\n`;

  const htmlItems = papers.map((paper) => {
    const topics = paper.topics.map((t) => escapeHtml(t.name)).join(', ');
    const code = paper.githubRepo ? ` · <a href="${safeHref(paper.githubRepo)}">code</a>` : '';
    return `<li style="margin:0 0 1.25em">
<a href="${safeHref(arxivAbsUrl(paper.arxivId))}" style="font-weight:600;font-size:1.05em;color:#1a0dab;text-decoration:none">${escapeHtml(paper.title)}</a><br>
<span style="color:#555">${escapeHtml(byline(paper.authors))}</span><br>
<span style="color:#555">▲ ${paper.upvotes}${topics ? ` · ${topics}` : ''}${code}</span>
<p style="margin:.4em 0 0">${escapeHtml(shorten(paper.abstract, SUMMARY_CHARS))}</p>
</li>`;
  });
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:40em;margin:0 auto;padding:1em;line-height:1.45;color:#222">
<h1 style="font-size:1.35em">${escapeHtml(title)}</h1>
<ol style="padding-left:1.2em">
${htmlItems.join('\n')}
</ol>
<hr style="border:none;border-top:1px solid #ddd">
<p style="color:#666;font-size:.9em">${escapeHtml(about)}. <a href="${safeHref(unsubscribeUrl)}">Unsubscribe</a></p>
</body></html>
`;
  return { subject: title, text, html };
}

export function composeConfirmation(input: { settings: DigestSettings; confirmUrl: string }): ComposedEmail {
  const about = describeSettings(input.settings);
  const subject = 'Confirm your paper digest';
  const text = `Someone, probably you, asked for this address to receive:\n\n  ${about}.\n\nTo confirm, open this link within 48 hours:\n${input.confirmUrl}\n\nIf it was not you, ignore this email: nothing will be sent.\n`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:36em;margin:0 auto;padding:1em;line-height:1.5;color:#222">
<p>Someone, probably you, asked for this address to receive:</p>
<p><strong>${escapeHtml(about)}</strong>.</p>
<p><a href="${safeHref(input.confirmUrl)}" style="display:inline-block;padding:.6em 1.2em;background:#1a73e8;color:#fff;text-decoration:none;border-radius:4px">Confirm the subscription</a></p>
<p style="color:#666;font-size:.9em">The link works for 48 hours. If it was not you, ignore this email: nothing will be sent.</p>
</body></html>
`;
  return { subject, text, html };
}

export { describeSettings };
