import { z } from "zod";
import { tool } from "../../../src/tool/index.js";

/*
 * A small recursive-descent evaluator; the expression never reaches eval or Function.
 *
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/" | "%") unary)*
 *   unary   := ("-" | "+") unary | power
 *   power   := primary ("^" unary)?          right-associative; -2^2 = -(2^2)
 *   primary := number | constant | function "(" sum ")" | "(" sum ")"
 */

const FUNCTIONS = new Map<string, (x: number) => number>([
  [
    "sqrt",
    (x) => {
      if (x < 0) throw new Error(`Cannot take the square root of a negative number (${x})`);
      return Math.sqrt(x);
    },
  ],
  ["abs", Math.abs],
  ["round", Math.round],
  ["floor", Math.floor],
  ["ceil", Math.ceil],
]);
const CONSTANTS = new Map<string, number>([
  ["pi", Math.PI],
  ["e", Math.E],
]);
const MAX_DEPTH = 100;

interface Token {
  kind: "num" | "op" | "name" | "(" | ")";
  text: string;
  pos: number;
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s+|(\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|\*\*|[-+*/%^×÷()]|[a-zA-Z_][\w.]*/y;
  let pos = 0;
  while (pos < expression.length) {
    pattern.lastIndex = pos;
    const m = pattern.exec(expression);
    if (!m) throw new Error(`Unexpected character '${expression[pos]}' at position ${pos + 1}`);
    const text = m[0];
    if (/^[\d.]/.test(text)) tokens.push({ kind: "num", text, pos });
    else if (/^[a-zA-Z_]/.test(text)) tokens.push({ kind: "name", text, pos });
    else if (text === "(" || text === ")") tokens.push({ kind: text, text, pos });
    else if (!/^\s/.test(text))
      tokens.push({
        kind: "op",
        text: text === "**" ? "^" : text === "×" ? "*" : text === "÷" ? "/" : text,
        pos,
      });
    pos += text.length;
  }
  return tokens;
}

class Parser {
  #i = 0;
  #depth = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): number {
    if (this.tokens.length === 0) throw new Error("The expression is empty");
    const value = this.sum();
    const extra = this.tokens[this.#i];
    if (extra) throw new Error(`Unexpected '${extra.text}' at position ${extra.pos + 1}`);
    return value;
  }

  #peekOp(...ops: string[]): string | undefined {
    const t = this.tokens[this.#i];
    return t?.kind === "op" && ops.includes(t.text) ? t.text : undefined;
  }

  sum(): number {
    let value = this.product();
    for (let op = this.#peekOp("+", "-"); op; op = this.#peekOp("+", "-")) {
      this.#i++;
      const right = this.product();
      value = op === "+" ? value + right : value - right;
    }
    return value;
  }

  product(): number {
    let value = this.unary();
    for (let op = this.#peekOp("*", "/", "%"); op; op = this.#peekOp("*", "/", "%")) {
      this.#i++;
      const right = this.unary();
      if ((op === "/" || op === "%") && right === 0) throw new Error("Division by zero");
      value = op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  }

  unary(): number {
    const op = this.#peekOp("-", "+");
    if (!op) return this.power();
    this.#i++;
    const value = this.#nested(() => this.unary());
    return op === "-" ? -value : value;
  }

  power(): number {
    const base = this.primary();
    if (!this.#peekOp("^")) return base;
    this.#i++;
    return base ** this.#nested(() => this.unary());
  }

  primary(): number {
    const t = this.tokens[this.#i++];
    if (!t) throw new Error("Unexpected end of expression");
    if (t.kind === "num") return Number(t.text);
    if (t.kind === "(") return this.#group();
    if (t.kind === "name") {
      const name = t.text.toLowerCase();
      const constant = CONSTANTS.get(name);
      if (constant !== undefined) return constant;
      const fn = FUNCTIONS.get(name);
      if (!fn)
        throw new Error(
          `Unknown identifier '${t.text}'; known: ${[...FUNCTIONS.keys(), ...CONSTANTS.keys()].join(", ")}`,
        );
      if (this.tokens[this.#i]?.kind !== "(")
        throw new Error(`Expected '(' after ${name} at position ${t.pos + 1 + t.text.length}`);
      this.#i++;
      return fn(this.#group());
    }
    throw new Error(`Unexpected '${t.text}' at position ${t.pos + 1}`);
  }

  /** The rest of a parenthesised group, after its '('. */
  #group(): number {
    const value = this.#nested(() => this.sum());
    const close = this.tokens[this.#i];
    if (close?.kind !== ")")
      throw new Error(
        close
          ? `Expected ')' but found '${close.text}' at position ${close.pos + 1}`
          : "Missing ')' at end of expression",
      );
    this.#i++;
    return value;
  }

  #nested(parse: () => number): number {
    if (++this.#depth > MAX_DEPTH) throw new Error("The expression is nested too deeply");
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }
}

/** Evaluates an arithmetic expression; throws an Error saying what is wrong with a bad one. */
export function evaluate(expression: string): number {
  const value = new Parser(tokenize(expression)).parse();
  if (Number.isNaN(value)) throw new Error("The result is not a real number");
  if (!Number.isFinite(value)) throw new Error("The result is too large to represent");
  // Hide binary floating-point noise: 0.1 + 0.2 gives 0.3, not 0.30000000000000004; and -0 gives 0.
  return Number(value.toPrecision(15)) + 0;
}

export const calculator = tool({
  name: "calculator",
  description:
    "Evaluates an arithmetic expression exactly. Supports + - * / % ^ (power), unary minus, parentheses, decimals, " +
    "the functions sqrt, abs, round, floor, ceil and the constants pi and e. Example: '12 * (3 + 4)'.",
  input: z.object({
    expression: z.string().max(500).describe("The expression to evaluate, e.g. '2^10 / (3 + 1)'"),
  }),
  execute: ({ expression }) => ({ expression, result: evaluate(expression) }),
});
