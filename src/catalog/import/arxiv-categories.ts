// Readable names of the arXiv categories most papers of this catalog carry (arXiv's own
// taxonomy names, shortened where arXiv's is a list). A code not listed falls back to itself.
// The Topic's slug is made from the code ("cs.CV" -> "cs-cv"), so renaming an entry here never
// splits a topic; only the name of a topic created afterwards changes.
import { topicSlug } from './normalize.ts';
import type { TopicRecord } from './records.ts';

const NAMES: Readonly<Record<string, string>> = {
  'cs.AI': 'Artificial Intelligence',
  'cs.AR': 'Hardware Architecture',
  'cs.CC': 'Computational Complexity',
  'cs.CE': 'Computational Engineering',
  'cs.CG': 'Computational Geometry',
  'cs.CL': 'Computation and Language',
  'cs.CR': 'Cryptography and Security',
  'cs.CV': 'Computer Vision',
  'cs.CY': 'Computers and Society',
  'cs.DB': 'Databases',
  'cs.DC': 'Distributed Computing',
  'cs.DL': 'Digital Libraries',
  'cs.DM': 'Discrete Mathematics',
  'cs.DS': 'Data Structures and Algorithms',
  'cs.ET': 'Emerging Technologies',
  'cs.FL': 'Formal Languages',
  'cs.GL': 'General Literature',
  'cs.GR': 'Graphics',
  'cs.GT': 'Game Theory',
  'cs.HC': 'Human-Computer Interaction',
  'cs.IR': 'Information Retrieval',
  'cs.IT': 'Information Theory',
  'cs.LG': 'Machine Learning',
  'cs.LO': 'Logic in Computer Science',
  'cs.MA': 'Multiagent Systems',
  'cs.MM': 'Multimedia',
  'cs.MS': 'Mathematical Software',
  'cs.NA': 'Numerical Analysis',
  'cs.NE': 'Neural and Evolutionary Computing',
  'cs.NI': 'Networking and Internet Architecture',
  'cs.OH': 'Other Computer Science',
  'cs.OS': 'Operating Systems',
  'cs.PF': 'Performance',
  'cs.PL': 'Programming Languages',
  'cs.RO': 'Robotics',
  'cs.SC': 'Symbolic Computation',
  'cs.SD': 'Sound',
  'cs.SE': 'Software Engineering',
  'cs.SI': 'Social and Information Networks',
  'cs.SY': 'Systems and Control',
  'eess.AS': 'Audio and Speech Processing',
  'eess.IV': 'Image and Video Processing',
  'eess.SP': 'Signal Processing',
  'eess.SY': 'Systems and Control',
  'stat.AP': 'Statistics Applications',
  'stat.CO': 'Statistical Computation',
  'stat.ME': 'Statistical Methodology',
  'stat.ML': 'Machine Learning (Statistics)',
  'stat.TH': 'Statistics Theory',
  'math.NA': 'Numerical Analysis',
  'math.OC': 'Optimization and Control',
  'math.PR': 'Probability',
  'math.ST': 'Statistics Theory',
  'q-bio.NC': 'Neurons and Cognition',
  'q-bio.QM': 'Quantitative Methods',
  'q-fin.CP': 'Computational Finance',
  'physics.comp-ph': 'Computational Physics',
  'cond-mat.mes-hall': 'Mesoscale and Nanoscale Physics',
  'cond-mat.dis-nn': 'Disordered Systems and Neural Networks',
  'quant-ph': 'Quantum Physics',
};

/** "Computer Vision (cs.CV)"; the bare code for a category missing from the table. */
export function arxivCategoryName(code: string): string {
  const name = NAMES[code];
  return name ? `${name} (${code})` : code;
}

/**
 * The topics of a paper's arXiv categories, in the order given (the primary category first,
 * where the source names it), one per slug: the Atom API and OAI-PMH readers alike.
 */
export function arxivTopics(codes: Iterable<string>): TopicRecord[] {
  const topics: TopicRecord[] = [];
  const slugs = new Set<string>();
  for (const code of codes) {
    const slug = topicSlug(code);
    if (slug === '' || slugs.has(slug)) continue;
    slugs.add(slug);
    topics.push({ slug, name: arxivCategoryName(code) });
  }
  return topics;
}
