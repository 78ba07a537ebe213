/**
 * Splits a command line into words the way sops does (google/shlex, POSIX-like): whitespace
 * separates words, single quotes are literal, double quotes allow `\"` and `\\`, a backslash
 * escapes the next character, and `#` at the start of a word begins a comment.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const push = (): void => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  while (i < line.length) {
    const ch = line.charAt(i);
    if (/\s/.test(ch)) {
      push();
      i++;
    } else if (ch === '#' && word === undefined) {
      break;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated single quote in ${JSON.stringify(line)}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '"') {
      word ??= '';
      i++;
      for (;;) {
        if (i >= line.length) throw new Error(`unterminated double quote in ${JSON.stringify(line)}`);
        const c = line.charAt(i);
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < line.length && /["\\$`\n]/.test(line.charAt(i + 1))) {
          word += line.charAt(i + 1);
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
    } else if (ch === '\\') {
      if (i + 1 < line.length) word = (word ?? '') + line.charAt(i + 1);
      i += 2;
    } else {
      word = (word ?? '') + ch;
      i++;
    }
  }
  push();
  return words;
}
