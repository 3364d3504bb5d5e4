// The skeleton of Argo's small expression languages (`depends`, `when`; `{{=…}}` next): a lexer
// loop over a one-token scanner, and a recursive-descent parser over the tokens, with
// left-associative binary levels and bounds that keep a hostile expression from exhausting the
// stack. Each language brings its tokens, its scanner and its grammar (README.md: Parsers).

/** A problem in the expression's text; each language prefixes it with its own words. */
export class ExpressionError extends Error {}

/** Real expressions are far smaller. */
const MAX_TOKENS = 1000;
const MAX_NESTING = 64;

export interface Scanned<T> {
  token: T;
  next: number;
}

/** One token at `at` (never whitespace); throws ExpressionError for text that starts none. */
export type Scanner<T> = (text: string, at: number) => Scanned<T>;

const SPACE = /\s/;

/** The tokens of `text`, whitespace between them skipped. */
export function tokenize<T>(text: string, scan: Scanner<T>): T[] {
  const tokens: T[] = [];
  let position = 0;
  while (position < text.length) {
    if (SPACE.test(text.charAt(position))) {
      position++;
      continue;
    }
    const scanned = scan(text, position);
    tokens.push(scanned.token);
    position = scanned.next;
  }
  return tokens;
}

/** A cursor over the tokens for a grammar's functions, one per precedence level. */
export class TokenCursor<T> {
  readonly #tokens: readonly T[];
  readonly #describe: (token: T) => string;
  #position = 0;
  #nesting = 0;

  /** `describe` names a token in messages, quoted: `'&&'`. */
  constructor(tokens: readonly T[], describe: (token: T) => string) {
    if (tokens.length > MAX_TOKENS) throw new ExpressionError(`longer than ${MAX_TOKENS} tokens`);
    this.#tokens = tokens;
    this.#describe = describe;
  }

  peek(): T | undefined {
    return this.#tokens[this.#position];
  }

  /** The next token, consumed; the expression may not end here. */
  take(): T {
    const token = this.#tokens[this.#position++];
    if (token === undefined) throw new ExpressionError("unexpected end of expression");
    return token;
  }

  unexpected(token: T): ExpressionError {
    return new ExpressionError(`unexpected ${this.#describe(token)}`);
  }

  /** A nested part (parenthesis, prefix operator), within the nesting bound. */
  nested<R>(inner: () => R): R {
    if (++this.#nesting > MAX_NESTING)
      throw new ExpressionError(`nested more than ${MAX_NESTING} levels deep`);
    const result = inner();
    this.#nesting--;
    return result;
  }

  /** `operand (op operand)*`, left-associative; `opOf` gives the token's operator when this level takes it. */
  leftAssoc<N>(
    opOf: (token: T | undefined) => string | undefined,
    operand: () => N,
    make: (op: string, left: N, right: N) => N,
  ): N {
    let left = operand();
    for (let op = opOf(this.peek()); op !== undefined; op = opOf(this.peek())) {
      this.#position++;
      left = make(op, left, operand());
    }
    return left;
  }

  /** `inner`, then the closing token, which `isClose` recognizes. */
  parenthesized<N>(inner: () => N, isClose: (token: T | undefined) => boolean): N {
    const result = this.nested(inner);
    if (!isClose(this.#tokens[this.#position++])) throw new ExpressionError("unbalanced parenthesis");
    return result;
  }

  /** The whole expression: `root` must use every token. */
  complete<N>(root: () => N): N {
    const result = root();
    const rest = this.peek();
    if (rest !== undefined)
      throw new ExpressionError(`unexpected ${this.#describe(rest)} after a complete expression`);
    return result;
  }
}
