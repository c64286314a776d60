/**
 * TextRank over a TF-IDF cosine-similarity graph, with length and position priors.
 * The graph is built through an inverted index (term -> sentences), so only sentence pairs
 * that share a term are compared; terms found in more than a fifth of the sentences are
 * dropped from the index (they are near-stopwords and would make the graph dense).
 */

export interface RankSentencesOptions {
  /** @default 0.85 */
  damping?: number | undefined;
  /** @default 60 */
  maxIterations?: number | undefined;
  /** Stop when the scores move less than this (L1). @default 1e-7 */
  tolerance?: number | undefined;
}

/** The ranking and what it was built from, reused for redundancy checks and chapter titles. */
export interface SentenceRanking {
  /** One score per sentence; higher is more central. */
  scores: Float64Array;
  /** Cosine similarity of two sentences' TF-IDF vectors, 0..1. */
  similarity(a: number, b: number): number;
  /** The distinctive terms of a set of sentences, best first, in their first spoken form. */
  topTerms(sentenceIndexes: readonly number[], count: number): string[];
}

// A compact English stopword list; other languages rely on the document-frequency cut.
const STOPWORDS = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for
from further get gets getting got gonna gotta had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself just know
kind let's like lot me more most mustn't my myself no nor not now of off oh ok okay on once one only or other ought
our ours ourselves out over own pretty really right same say says said see shan't she she'd she'll she's should
shouldn't so some such sort stuff than that that's the their theirs them themselves then there there's these they
they'd they'll they're they've thing things think this those through to too uh um under until up us very was
wasn't way we we'd we'll we're we've well were weren't what what's when when's where where's which while who who's
whom why why's will with won't would wouldn't yeah yes you you'd you'll you're you've your yours yourself
yourselves going go want actually basically just gonna wanna`.split(/\s+/),
);

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’]*/gu;
const HAN_OR_KANA = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Lower-cased content terms of a sentence, with the form each was spoken in. */
export function contentTerms(text: string): { term: string; surface: string }[] {
  const terms: { term: string; surface: string }[] = [];
  for (const match of text.matchAll(WORD)) {
    const surface = match[0].replace(/’/g, "'");
    const lower = surface.toLowerCase();
    if (HAN_OR_KANA.test(lower)) {
      // No spaces between words: character bigrams stand in for words.
      const chars = [...lower];
      for (let i = 0; i + 1 < chars.length; i += 1) terms.push({ term: chars[i]! + chars[i + 1]!, surface: chars[i]! + chars[i + 1]! });
      continue;
    }
    if (STOPWORDS.has(lower)) continue;
    let term = lower.replace(/'s$/, '').replace(/'/g, '');
    if (term.length < 3 && !/\p{N}/u.test(term)) continue;
    if (term.length > 4 && term.endsWith('s') && !term.endsWith('ss')) term = term.slice(0, -1);
    terms.push({ term, surface: surface.replace(/'s$/, '') });
  }
  return terms;
}

export function rankSentences(sentences: readonly string[], options: RankSentencesOptions = {}): SentenceRanking {
  const damping = options.damping ?? 0.85;
  const maxIterations = options.maxIterations ?? 60;
  const tolerance = options.tolerance ?? 1e-7;
  const n = sentences.length;

  // Term ids, term frequencies per sentence, document frequencies.
  const termIds = new Map<string, number>();
  const surfaces: string[] = [];
  const documentFrequency: number[] = [];
  const sentenceTerms: Map<number, number>[] = [];
  const contentLength = new Int32Array(n);
  for (let i = 0; i < n; i += 1) {
    const counts = new Map<number, number>();
    const terms = contentTerms(sentences[i]!);
    contentLength[i] = terms.length;
    for (const { term, surface } of terms) {
      let id = termIds.get(term);
      if (id === undefined) {
        id = surfaces.length;
        termIds.set(term, id);
        surfaces.push(surface);
        documentFrequency.push(0);
      }
      const previous = counts.get(id) ?? 0;
      if (previous === 0) documentFrequency[id] = documentFrequency[id]! + 1;
      counts.set(id, previous + 1);
    }
    sentenceTerms.push(counts);
  }

  const idf = documentFrequency.map((df) => Math.log((n + 1) / df));
  const maxDocumentFrequency = n >= 20 ? Math.max(2, Math.floor(n / 5)) : n;

  // Sparse TF-IDF vectors, their norms, and the inverted index.
  const vectors: Map<number, number>[] = [];
  const norms = new Float64Array(n);
  const postings: { sentence: number; weight: number }[][] = surfaces.map(() => []);
  for (let i = 0; i < n; i += 1) {
    const vector = new Map<number, number>();
    let squared = 0;
    for (const [id, count] of sentenceTerms[i]!) {
      const weight = (1 + Math.log(count)) * idf[id]!;
      vector.set(id, weight);
      squared += weight * weight;
      if (documentFrequency[id]! >= 2 && documentFrequency[id]! <= maxDocumentFrequency) {
        postings[id]!.push({ sentence: i, weight });
      }
    }
    vectors.push(vector);
    norms[i] = Math.sqrt(squared);
  }

  // Similarity edges through the index: for each sentence, accumulate dot products with later ones.
  const neighbours: { target: number; weight: number }[][] = Array.from({ length: n }, () => []);
  const dot = new Float64Array(n);
  const touched: number[] = [];
  for (let i = 0; i < n; i += 1) {
    for (const [id, weight] of vectors[i]!) {
      const list = postings[id]!;
      for (const posting of list) {
        if (posting.sentence <= i) continue;
        if (dot[posting.sentence] === 0) touched.push(posting.sentence);
        dot[posting.sentence] = dot[posting.sentence]! + weight * posting.weight;
      }
    }
    for (const j of touched) {
      const similarity = dot[j]! / (norms[i]! * norms[j]!);
      dot[j] = 0;
      if (similarity > 0.02) {
        neighbours[i]!.push({ target: j, weight: similarity });
        neighbours[j]!.push({ target: i, weight: similarity });
      }
    }
    touched.length = 0;
  }

  // Priors: sentences with a few content words and an early position are favoured a little.
  const prior = new Float64Array(n);
  let priorSum = 0;
  for (let i = 0; i < n; i += 1) {
    const length = Math.min(1, contentLength[i]! / 8);
    const position = 1 + 0.3 * Math.exp(-i / Math.max(1, n * 0.1));
    prior[i] = 0.05 + length * position;
    priorSum += prior[i]!;
  }
  for (let i = 0; i < n; i += 1) prior[i] = priorSum > 0 ? prior[i]! / priorSum : 1 / Math.max(1, n);

  // Personalised PageRank with weighted edges.
  const outWeight = new Float64Array(n);
  for (let i = 0; i < n; i += 1) for (const edge of neighbours[i]!) outWeight[i] = outWeight[i]! + edge.weight;
  let scores: Float64Array<ArrayBuffer> = Float64Array.from(prior);
  let next: Float64Array<ArrayBuffer> = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration += 1) {
    let dangling = 0;
    for (let i = 0; i < n; i += 1) if (outWeight[i] === 0) dangling += scores[i]!;
    for (let j = 0; j < n; j += 1) next[j] = (1 - damping + damping * dangling) * prior[j]!;
    for (let i = 0; i < n; i += 1) {
      const out = outWeight[i]!;
      if (out === 0) continue;
      const share = (damping * scores[i]!) / out;
      for (const edge of neighbours[i]!) next[edge.target] = next[edge.target]! + share * edge.weight;
    }
    let change = 0;
    for (let i = 0; i < n; i += 1) change += Math.abs(next[i]! - scores[i]!);
    [scores, next] = [next, scores];
    if (change < tolerance) break;
  }

  // Very short sentences rarely stand alone as a key point.
  const final = new Float64Array(n);
  for (let i = 0; i < n; i += 1) final[i] = scores[i]! * Math.min(1, (contentLength[i]! + 1) / 6);

  return {
    scores: final,
    similarity(a, b) {
      const va = vectors[a];
      const vb = vectors[b];
      if (!va || !vb || norms[a] === 0 || norms[b] === 0) return 0;
      const [small, large] = va.size <= vb.size ? [va, vb] : [vb, va];
      let sum = 0;
      for (const [id, weight] of small) sum += weight * (large.get(id) ?? 0);
      return sum / (norms[a]! * norms[b]!);
    },
    topTerms(sentenceIndexes, count) {
      const weights = new Map<number, number>();
      for (const index of sentenceIndexes) {
        for (const [id, tf] of sentenceTerms[index] ?? []) {
          if (/^\p{N}+$/u.test(surfaces[id]!)) continue;
          weights.set(id, (weights.get(id) ?? 0) + tf * idf[id]!);
        }
      }
      return [...weights]
        .filter(([id]) => documentFrequency[id]! >= 2)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, count)
        .map(([id]) => surfaces[id]!);
    },
  };
}
