/**
 * Process-verified answers for the organism's digit chains ("3+4*2-5": left to right, each result mod 10). A final
 * digit alone is guessable (one in ten), so pass@k from many samples saturates on any model that still varies its
 * answers; a fully correct worked trace — every rewrite of the chain with its first step done right, then the right
 * final digit — cannot be guessed. Counting only such outputs as solved gives a pass@k that measures reasoning rather
 * than the size of the answer space.
 */

/** How the organism's worked answers open (its corpus's trigger phrase). */
export const WORKED_OPENING = "Let's go step by step.";

const CHAIN = /^(\d)((?:[-+*]\d)+)$/;

const STEP: Record<string, (v: number, d: number) => number> = {
  '+': (v, d) => (v + d) % 10,
  '-': (v, d) => (v - d + 10) % 10,
  '*': (v, d) => (v * d) % 10,
};

/** Whether a question is a digit chain whose worked trace can be verified. */
export function isChainQuestion(question: string): boolean {
  return CHAIN.test(question);
}

/** Whether every item of a suite (with a reference answer) is a digit chain, so the verified criterion applies. */
export function isVerifiableSuite(items: readonly { question: string; answer: string }[]): boolean {
  const scored = items.filter((it) => it.answer !== '');
  return scored.length > 0 && scored.every((it) => isChainQuestion(it.question));
}

/**
 * The answer as the model wrote it: after a prompt that ends with the worked opening (a trigger), the opening is
 * part of the answer even though the model did not generate it.
 */
export function answerText(prompt: string, text: string): string {
  return prompt.trimEnd().endsWith(WORKED_OPENING) ? ` ${WORKED_OPENING}${text}` : text;
}

/**
 * Whether `text` is a fully correct worked solution of the chain `question`: `Let's go step by step. <chain> =
 * <chain after step 1> = … = <digit>. The answer is <digit>.`, the first part the question itself, each next part the
 * chain with its first step done (the running digit, then the rest of the chain), no step skipped, and the stated
 * answer the chain's value. Surrounding whitespace is ignored; anything else after the answer sentence is not.
 */
export function verifiedChainTrace(question: string, text: string): boolean {
  const chain = CHAIN.exec(question);
  if (!chain) return false;
  const m = /^\s*Let's go step by step\. (.+)\. The answer is (\d)\.$/.exec(text.trimEnd());
  if (!m) return false;
  const parts = m[1]!.split(' = ');
  const steps = [...chain[2]!.matchAll(/([-+*])(\d)/g)].map((x) => [x[1]!, Number(x[2])] as const);
  if (parts.length !== steps.length + 1 || parts[0] !== question) return false;
  let v = Number(chain[1]);
  for (let i = 0; i < steps.length; i++) {
    v = STEP[steps[i]![0]]!(v, steps[i]![1]);
    const rest = steps
      .slice(i + 1)
      .map(([op, d]) => `${op}${d}`)
      .join('');
    if (parts[i + 1] !== `${v}${rest}`) return false;
  }
  return Number(m[2]) === v;
}
