const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/**
 * A quick, slightly pessimistic token count for chunking decisions (no tokenizer download):
 * ASCII text at 3.5 characters a token, CJK and Thai at one token a character, other
 * scripts at two characters a token. Real counts come back from the provider in `usage`.
 */
export function estimateTokens(text: string): number {
  let ascii = 0;
  let wide = 0;
  let other = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 128) ascii += 1;
    else if (WIDE.test(char)) wide += 1;
    else other += 1;
  }
  return Math.ceil(ascii / 3.5 + wide + other / 2);
}
