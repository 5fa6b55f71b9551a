import type { MethodSpec } from './method.ts';
import type { PromptSpec } from './prompt.ts';

/** One paragraph per method: what it does and where it comes from. Shown next to the method in the UI and CLI. */
function promptPart(p: PromptSpec): string {
  const template =
    p.template === 'qa'
      ? 'the question as "Q: … A:"'
      : p.template === 'lm-eval'
        ? 'the lm-evaluation-harness format "Question: … Answer:"'
        : 'a custom template';
  const shots =
    p.shots > 0
      ? `, after ${p.shots} solved ${p.shotForm === 'worked' ? 'questions with worked steps (few-shot chain-of-thought, Wei et al. 2022)' : 'questions with bare answers (few-shot prompting, Brown et al. 2020)'}`
      : '';
  const trigger =
    p.triggerSource === 'none'
      ? ''
      : `, with a trigger phrase after the answer cue (${p.triggerSource === 'suite' ? "the suite's own phrase" : JSON.stringify(p.trigger ?? '')}; zero-shot chain-of-thought, Kojima et al. 2022)`;
  return `The model sees ${template}${shots}${trigger}.`;
}

function decodingPart(m: MethodSpec): string {
  const d = m.decoding;
  switch (d.kind) {
    case 'greedy':
      return 'It takes the most probable token at every step (greedy decoding): what the model does by default.';
    case 'sample':
      return `It draws ${d.n} answers by sampling (${d.chain.map((p) => p.name).join(' → ') || 'no processors'}) from one shared prefill, then ${
        d.aggregate === 'majority'
          ? 'takes the most frequent answer (self-consistency, Wang et al. 2023)'
          : d.aggregate === 'delta-weighted'
            ? 'votes with each answer weighted by its confidence Δ'
            : 'keeps the single sample whose answer is most confident (best-of-n by Δ)'
      }${d.aggregate === 'majority' ? '' : " — Δ is the mean over the answer's tokens of p(the token sampled) − p(the most probable other token), negative where the sample did not take the most probable token"}. pass@k and maj@k (both expectations over k of the n samples) are reported alongside.`;
    case 'cot-decoding':
      return `It branches on the ${d.k} most probable first tokens, continues each branch greedily, and ${
        d.aggregate === 'max'
          ? 'keeps the path whose answer tokens are most confident'
          : 'sums confidence over paths that give the same answer and keeps the best answer'
      } — confidence Δ is the mean over the answer's tokens of p(the token taken) − p(the most probable other token) (CoT-decoding, Wang & Zhou 2024). Their eq. 1 writes it p(top-1) − p(top-2), which is the same wherever a path took the most probable token, as their greedy continuations do; where the answer is the forced first token of a less likely branch, its Δ is negative instead of the greedy step's gap. Reasoning paths often hide behind a less likely first token.`;
    case 'contrast':
      return `It decodes with a second, weaker prompt in the same batch and amplifies what the strong prompt adds: (1+β)·log p_strong − β·log p_weak with β=${d.beta}, keeping only tokens within α=${d.alpha} of the strong prompt's best (contrastive decoding, Li et al. 2023; classifier-free guidance for text, Sanchez et al. 2023; O'Brien & Lewis 2023). Its traces show the strong prompt's own probabilities, with each token's contrast score beside them.`;
  }
}

function steerPart(m: MethodSpec): string {
  const s = m.steer;
  if (!s) return '';
  const vector =
    s.feature !== undefined
      ? `the decoder direction of sparse-autoencoder feature ${s.feature} (an SAE trained on the model's own residual stream after that block; the direction is scaled to the mean residual norm)`
      : s.vector === undefined
        ? 'no direction'
        : s.vector === 'caa'
          ? `a contrastive activation addition vector (Rimsky et al. 2024; Turner et al. 2023): the mean residual after that block over the suite's exemplars prompted ${s.pairs === 'trigger' ? 'with its trigger phrase minus without it' : 'after worked examples minus after direct examples'} — computed from the exemplar pool, never from test items`
          : `a given direction of ${s.vector.length} values`;
  const where =
    s.positions === 'last'
      ? "at the prompt's last token only"
      : s.positions === 'answer'
        ? "at the prompt's last token and every generated token"
        : 'at every position';
  return ` Every forward pass adds ${s.scale} × ${vector} to the residual stream after block ${s.layer}, ${where} (activation steering; needs a model with hidden-state inputs).`;
}

export function explainMethod(m: MethodSpec): string {
  return `${promptPart(m.prompt)} ${decodingPart(m)}${steerPart(m)}`;
}
