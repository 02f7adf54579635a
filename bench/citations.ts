// What citation formatting costs: milliseconds to format N papers in each format (N = 10, 100,
// 1000, the most a collection holds), and the longest the event loop stood still meanwhile
// (perf_hooks.monitorEventLoopDelay, 1 ms resolution). The papers are generated (seeded, demo
// names: particles, initials, 2 to 12 authors), no database: this is citation-js's share of
// `Collection.citation` and `GET /papers/<id>.bib`, what the query-cost model should price.
// Each size is measured as served (sliced, yielding the event loop between slices) and in one
// piece (as it was before slicing), so the stall the slicing removes shows in one run.
//
//   npx tsx bench/citations.ts [--rounds 5]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { formatCitations, PAPERS_PER_TURN, type CitablePaper, type CitationFormat, type FormatOptions } from '../src/catalog/citations/format.ts';
import { NameGenerator } from '../src/catalog/demo/names.ts';
import { Rng } from '../src/catalog/demo/random.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const ROUNDS = Math.max(1, Number(values.rounds));
const FORMATS: CitationFormat[] = ['CSL_JSON', 'BIBTEX', 'RIS'];
const SIZES = [10, 100, 1000];

function papers(n: number): CitablePaper[] {
  const rng = new Rng(42);
  const names = new NameGenerator(rng);
  const words = ['Attention', 'Diffusion', 'Sparse', 'Scaling', 'Robust', 'Language', 'Models', 'Vision', 'Graph', 'Learning', 'Efficient', 'Transformers'];
  return Array.from({ length: n }, (_, i) => ({
    paper: {
      arxivId: `2407.${String(10000 + i).padStart(5, '0')}`,
      title: Array.from({ length: rng.int(4, 10) }, () => rng.pick(words)).join(' '),
      abstract: 'An abstract.',
      publishedAt: new Date(Date.UTC(2024, 6, 1 + (i % 28), 12)),
      doi: i % 3 === 0 ? `10.48550/arXiv.2407.${10000 + i}` : null,
      primaryCategory: rng.pick(['cs.LG', 'cs.CL', 'cs.CV', 'stat.ML']),
      journalRef: i % 7 === 0 ? 'J. Mach. Learn. Res. 25 (2024) 1-30' : null,
    },
    authors: Array.from({ length: rng.int(2, 12) }, (_, a) => (a === 0 && i % 10 === 0 ? 'Ludwig van der Waals' : names.any().full)),
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median time and median longest event-loop stall of formatting `input`. */
async function measure(input: CitablePaper[], format: CitationFormat, options: FormatOptions): Promise<{ ms: number; stall: number; bytes: number }> {
  const times: number[] = [];
  const stalls: number[] = [];
  let bytes = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    // A tick for the histogram to start sampling from.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    const text = await formatCitations(input, format, options);
    times.push(performance.now() - started);
    // The timer that measures the last stretch has to fire to be counted.
    await new Promise((resolve) => setTimeout(resolve, 5));
    histogram.disable();
    stalls.push(histogram.max / 1e6);
    bytes = Buffer.byteLength(text);
  }
  return { ms: median(times), stall: median(stalls), bytes };
}

async function main() {
  const all = papers(1000);
  // Warm-up: citation-js's plugins and V8's compiled code.
  for (const format of FORMATS) await formatCitations(all.slice(0, 100), format);

  console.log(`citation formatting, median of ${ROUNDS} rounds (Node ${process.version}); sliced: ${PAPERS_PER_TURN} papers per turn of the event loop, as served; one piece: as before, for comparison\n`);
  console.log('| format | papers | ms sliced | ms/paper | longest stall sliced (ms) | ms one piece | longest stall one piece (ms) | output bytes |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const format of FORMATS) {
    for (const n of SIZES) {
      const input = all.slice(0, n);
      const sliced = await measure(input, format, {});
      const whole = await measure(input, format, { papersPerTurn: Number.MAX_SAFE_INTEGER });
      console.log(
        `| ${format} | ${n} | ${sliced.ms.toFixed(1)} | ${(sliced.ms / n).toFixed(2)} | ${sliced.stall.toFixed(1)} | ${whole.ms.toFixed(1)} | ${whole.stall.toFixed(1)} | ${sliced.bytes} |`,
      );
    }
  }
}

await main();
