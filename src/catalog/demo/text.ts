// Titles, abstracts and links that read like machine-learning papers, written from the topic's
// phrases in vocabulary.ts. One `Rng` per paper, so a paper's text does not depend on which
// batch it is written in.
import { asciiFold } from './names.ts';
import type { Rng } from './random.ts';
import { ADJECTIVES, FINDINGS, GENERIC_TECHNIQUES, GITHUB_ORGS, GOALS, METHOD_PREFIXES, METHOD_SUFFIXES, STEPS, type Field, type Subfield } from './vocabulary.ts';

export interface PaperTextInput {
  readonly field: Field;
  readonly subfield: Subfield;
  /** "Few-Shot" for a generated topic such as "Few-Shot Image Generation". */
  readonly qualifier: string | null;
  readonly firstAuthor: string;
  readonly lastAuthor: string;
  readonly hasCode: boolean;
  readonly hasProjectPage: boolean;
  /** Year of arXiv v1, for "Accepted to CVPR 2026". */
  readonly year: number;
}

export interface PaperText {
  readonly title: string;
  readonly abstract: string;
  readonly githubRepo: string | null;
  readonly projectPage: string | null;
  /** arXiv primary category, e.g. "cs.CV". */
  readonly primaryCategory: string;
  /** The authors' arXiv comment ("Accepted to CVPR 2026", "12 pages, 5 figures"), if any. */
  readonly arxivComment: string | null;
  /** One sentence in the style of Hugging Face's AI summaries. */
  readonly aiSummary: string;
  readonly aiKeywords: string[];
}

const SMALL_WORDS = new Set([
  'a', 'an', 'and', 'as', 'at', 'but', 'by', 'for', 'from', 'in', 'into', 'is', 'of', 'on', 'or', 'the', 'to', 'via', 'vs', 'with', 'without',
]);

/** Title Case that leaves acronyms alone and lower-cases small words: "Chain-of-Thought for LLMs". */
export function titleCase(phrase: string): string {
  return phrase
    .split(' ')
    .map((word, wordIndex) =>
      word
        .split('-')
        .map((part, partIndex) => {
          const first = wordIndex === 0 && partIndex === 0;
          if (!first && SMALL_WORDS.has(part)) return part;
          return part.charAt(0).toUpperCase() + part.slice(1);
        })
        .join('-'),
    )
    .join(' ');
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "Computer Vision" -> "computer vision", "AI Agents" -> "AI agents". */
function lowerField(name: string): string {
  return name
    .split(' ')
    .map((w) => (w.length > 1 && w === w.toUpperCase() ? w : w.toLowerCase()))
    .join(' ');
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function distinct(rng: Rng, items: readonly string[], count: number): string[] {
  return rng.shuffle([...items]).slice(0, Math.min(count, items.length));
}

function percent(rng: Rng, min: number, max: number): string {
  return (min + rng.next() * (max - min)).toFixed(1);
}

type Kind = 'method' | 'benchmark' | 'analysis';

export function paperText(rng: Rng, input: PaperTextInput): PaperText {
  const { field, subfield } = input;
  const kind: Kind = rng.chance(0.76) ? 'method' : rng.chance(0.5) ? 'benchmark' : 'analysis';
  const task = rng.pick(subfield.tasks);
  const otherTask = rng.pick(subfield.tasks);
  const techniques = [...field.techniques, ...field.techniques, ...GENERIC_TECHNIQUES];
  const [tech, tech2] = distinct(rng, techniques, 2) as [string, string];
  const adjective = input.qualifier && rng.chance(0.6) ? input.qualifier.toLowerCase() : rng.pick(ADJECTIVES);
  const models = rng.pick(field.models);
  const metrics = subfield.metrics ?? field.metrics;
  const metric = rng.pick(metrics);
  const benchmarks = distinct(rng, subfield.benchmarks, rng.int(2, 3));
  const name =
    kind === 'benchmark'
      ? `${rng.pick(METHOD_PREFIXES)}${rng.pick(field.stems)}${rng.chance(0.5) ? '-Bench' : 'Bench'}`
      : `${rng.pick(METHOD_PREFIXES)}${rng.pick(field.stems)}${rng.pick(METHOD_SUFFIXES.filter((s) => s !== '-Bench'))}`;

  const title = makeTitle(rng, kind, { name, task, otherTask, tech, adjective, models, data: rng.pick(field.data) });

  const links = makeLinks(rng, input, name);
  const sentences =
    kind === 'method'
      ? methodAbstract(rng, { field, name, task, tech, tech2, adjective, models, metric, benchmarks })
      : kind === 'benchmark'
        ? benchmarkAbstract(rng, { field, name, task, models, metric, benchmarks })
        : analysisAbstract(rng, { field, task, tech, models, metric, benchmarks });
  if (links.githubRepo) {
    sentences.push(rng.pick(['Code and models are available at', 'Our code is publicly available at', 'Code and data are released at']) + ` ${links.githubRepo}.`);
  } else if (links.projectPage) {
    sentences.push(`Project page: ${links.projectPage}.`);
  } else if (rng.chance(0.3)) {
    sentences.push(rng.pick(['We will release our code and models.', 'Code and data will be made publicly available.']));
  }
  const aiSummary =
    kind === 'method'
      ? `${name} ${rng.pick(['uses', 'combines', 'integrates'])} ${tech} and ${tech2} to ${rng.pick(['improve', 'advance', 'scale'])} ${task}, ${rng.pick(['outperforming strong baselines', 'achieving state-of-the-art results', 'reducing compute substantially'])} on ${benchmarks[0]}.`
      : kind === 'benchmark'
        ? `${name} is a benchmark for ${task} on which even the strongest ${models} still struggle.`
        : `A systematic study of ${tech} for ${task} finds that ${rng.pick(FINDINGS)}.`;
  const aiKeywords = [...new Set([task, tech, kind === 'method' ? tech2 : models, ...benchmarks.slice(0, rng.int(0, 2))])];
  return {
    title,
    abstract: sentences.join(' '),
    ...links,
    primaryCategory: rng.pick(subfield.categories ?? field.categories),
    arxivComment: arxivComment(rng, field, input.year),
    aiSummary,
    aiKeywords,
  };
}

function arxivComment(rng: Rng, field: Field, year: number): string | null {
  if (!rng.chance(0.45)) return null;
  const pages = rng.int(8, 40);
  const figures = rng.int(2, 16);
  const venue = `${rng.pick(field.venues)} ${year + (rng.chance(0.85) ? 0 : 1)}`;
  return rng.pick([
    `Accepted to ${venue}`,
    `${pages} pages, ${figures} figures`,
    `${pages} pages, ${figures} figures, ${rng.int(1, 9)} tables. Accepted at ${venue}`,
    `${venue} camera-ready version`,
    'Technical report',
    'Preprint. Under review.',
    'Work in progress',
  ]);
}

interface TitleParts {
  name: string;
  task: string;
  otherTask: string;
  tech: string;
  adjective: string;
  models: string;
  data: string;
}

function makeTitle(rng: Rng, kind: Kind, p: TitleParts): string {
  const Task = titleCase(p.task);
  const Tech = titleCase(p.tech);
  const Adj = titleCase(p.adjective);
  const Models = titleCase(p.models);
  // "... with Reinforcement Learning with Verifiable Rewards" reads badly.
  const WithTech = p.tech.includes(' with ') ? `via ${Tech}` : `with ${Tech}`;
  const templates: (() => string)[] =
    kind === 'benchmark'
      ? [
          () => `${p.name}: A Benchmark for Evaluating ${Models} on ${Task}`,
          () => `${p.name}: Benchmarking ${Adj} ${Task} in the Wild`,
          () => `${p.name}: How Well Do ${Models} Handle ${Task}?`,
          () => `${p.name}: A Comprehensive Benchmark for ${Task}`,
        ]
      : kind === 'analysis'
        ? [
            () => `Are ${Models} Ready for ${Task}?`,
            () => `On the ${rng.pick(['Robustness', 'Limits', 'Scaling Behavior', 'Effectiveness', 'Brittleness'])} of ${Tech} in ${Models}`,
            () => `What Makes ${Tech} Work for ${Task}?`,
            () => `A Closer Look at ${Tech} for ${Task}`,
            () => `${Tech} Is Not All You Need for ${Task}`,
            () => `How Far Can ${Tech} Take ${Models}?`,
            () => `Understanding ${Tech} in ${Models}: An Empirical Study`,
          ]
        : [
            () => `${p.name}: ${Adj} ${Task} ${WithTech}`,
            () => `${p.name}: Towards ${Adj} ${Task}`,
            () => `${Tech} for ${Adj} ${Task}`,
            () => `${/scal/i.test(p.tech) ? 'Revisiting' : 'Scaling'} ${Tech} for ${Task}`,
            () => `Rethinking ${Tech} for ${Task}`,
            () => `${Adj} ${Task} via ${Tech}`,
            () => `${p.name}: Unifying ${Task} and ${titleCase(p.otherTask)} ${WithTech}`,
            () => `${p.name}: An Open Foundation Model for ${Task}`,
            () => `When ${Tech} Meets ${Task}`,
            () => `Less Is More: ${Adj} ${Task} ${WithTech}`,
            () => `${p.name}: ${Task} at Scale`,
            () => `${p.name}: Learning ${Adj} ${Task} from ${titleCase(p.data)}`,
            () => `${p.name}: ${Adj} ${Task} through ${Tech}`,
          ];
  return rng.pick(templates)();
}

interface MethodParts {
  field: Field;
  name: string;
  task: string;
  tech: string;
  tech2: string;
  adjective: string;
  models: string;
  metric: string;
  benchmarks: string[];
}

function opening(rng: Rng, field: Field, task: string, tech: string, models: string): string {
  return rng.pick([
    `${sentence(task)} is a fundamental problem in ${lowerField(field.name)}.`,
    `Recent advances in ${tech} have enabled remarkable progress in ${task}.`,
    `${sentence(models)} have shown impressive capabilities in ${task}.`,
    `${sentence(task)} has attracted growing attention as ${models} are deployed in increasingly demanding settings.`,
  ]);
}

function methodAbstract(rng: Rng, p: MethodParts): string[] {
  const out = [opening(rng, p.field, p.task, p.tech, p.models)];
  out.push(
    rng.pick([
      `However, existing methods ${rng.pick(p.field.limitations)}.`,
      `Despite this progress, current approaches ${rng.pick(p.field.limitations)}.`,
      `Yet most existing approaches ${rng.pick(p.field.limitations)}, which limits their practical use.`,
    ]),
  );
  const what = rng.pick(['framework', 'approach', 'method', 'training recipe', 'architecture', 'pipeline']);
  const article = /^[aeio]|^u(?!ni|se)/.test(p.adjective) ? 'an' : 'a';
  out.push(
    rng.chance(0.5)
      ? `In this paper, we introduce ${p.name}, ${article} ${p.adjective} ${what} for ${p.task} that combines ${p.tech} with ${p.tech2} to ${rng.pick(GOALS)}.`
      : `We propose ${p.name}, ${article} ${p.adjective} ${what} that leverages ${p.tech} to ${rng.pick(GOALS)}.`,
  );
  out.push(`Specifically, ${p.name} ${rng.pick(STEPS).replace('{tech}', p.tech2)}.`);
  if (rng.chance(0.4)) {
    out.push(`To support training, we further curate a dataset of ${rng.int(10, 900)}K ${rng.pick(p.field.data)}.`);
  }
  const result = rng.pick([
    `outperforms the strongest baseline by ${percent(rng, 1, 12)} points of ${p.metric} on average`,
    `achieves state-of-the-art ${p.metric} while being ${percent(rng, 1.5, 9)}x faster at inference`,
    `matches the performance of models ${rng.int(2, 20)}x larger`,
    `improves ${p.metric} by ${percent(rng, 2, 35)}% relative to prior work`,
  ]);
  out.push(`Extensive experiments on ${list(p.benchmarks)} show that ${p.name} ${result}.`);
  if (rng.chance(0.45)) out.push(`Our analysis further reveals that ${rng.pick(FINDINGS)}.`);
  return out;
}

function benchmarkAbstract(
  rng: Rng,
  p: { field: Field; name: string; task: string; models: string; metric: string; benchmarks: string[] },
): string[] {
  return [
    rng.pick([
      `Evaluating ${p.models} on ${p.task} remains challenging.`,
      `Progress in ${p.task} is increasingly hard to measure, as existing benchmarks such as ${p.benchmarks[0]} are close to saturation.`,
    ]),
    `Existing benchmarks ${rng.pick(['cover only a narrow set of scenarios', 'are contaminated by pretraining data', 'rely on noisy automatic metrics', 'are saturated by frontier models'])}.`,
    `We introduce ${p.name}, a benchmark of ${rng.int(1, 20) * 500} ${rng.pick(p.field.data)} spanning ${rng.int(5, 40)} categories of ${p.task}.`,
    'Each instance is verified by human experts and paired with a reliable automatic evaluation protocol.',
    `We evaluate ${rng.int(8, 40)} ${p.models}, including open-weight and proprietary systems, and find that even the strongest one reaches only ${percent(rng, 20, 65)}% ${p.metric}.`,
    `Our analysis shows that ${rng.pick(FINDINGS)}.`,
  ];
}

function analysisAbstract(
  rng: Rng,
  p: { field: Field; task: string; tech: string; models: string; metric: string; benchmarks: string[] },
): string[] {
  const [finding, finding2] = distinct(rng, FINDINGS, 2) as [string, string];
  return [
    opening(rng, p.field, p.task, p.tech, p.models),
    `Yet it remains unclear when and why ${p.tech} helps.`,
    `In this work, we conduct a systematic study of ${p.tech} for ${p.task} across ${rng.int(6, 30)} ${p.models} and benchmarks including ${list(p.benchmarks)}.`,
    `We find that ${finding}.`,
    `Moreover, ${finding2}.`,
    `Building on these insights, we propose a simple recipe that improves ${p.metric} by ${percent(rng, 2, 20)}% on ${p.benchmarks[0]}.`,
  ];
}

function makeLinks(rng: Rng, input: PaperTextInput, name: string): Pick<PaperText, 'githubRepo' | 'projectPage'> {
  if (!input.hasCode && !input.hasProjectPage) return { githubRepo: null, projectPage: null };
  const owner = rng.pick([
    () => asciiFold(input.firstAuthor),
    () => `${asciiFold(input.lastAuthor.split(' ').pop()!)}-lab`,
    () => `${asciiFold(input.lastAuthor.split(' ').pop()!)}lab`,
    () => rng.pick(GITHUB_ORGS),
    () => rng.pick(GITHUB_ORGS),
  ])();
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '');
  const repo = rng.chance(0.5) ? cleaned : cleaned.toLowerCase();
  return {
    githubRepo: input.hasCode ? `https://github.com/${owner}/${repo}` : null,
    projectPage: input.hasProjectPage
      ? rng.chance(0.6)
        ? `https://${owner}.github.io/${repo.toLowerCase()}/`
        : `https://${cleaned.toLowerCase().replace(/[._]/g, '-')}.github.io/`
      : null,
  };
}
