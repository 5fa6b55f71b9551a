"""Reference answers of lm-evaluation-harness's gsm8k filters, computed by lm-eval's own code, for Coax's tests.

Runs lm-eval's RegexFilter (lm_eval/filters/extraction.py) and its exact_match normalisation
(lm_eval/api/metrics.py, exact_match_hf_evaluate with gsm8k's regexes_to_ignore and ignore_case) straight from a
checkout of the harness, without installing it, on the edge cases in test/fixtures/lm-eval-filter-cases.json,
and writes test/fixtures/lm-eval-filter-references.json.

    python3 tools/lm-eval-filter-reference.py --harness /path/to/lm-evaluation-harness
"""

import argparse
import ast
import json
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "test/fixtures/lm-eval-filter-cases.json"
OUT = ROOT / "test/fixtures/lm-eval-filter-references.json"

# The filter lists of lm_eval/tasks/gsm8k/gsm8k.yaml and gsm8k-cot.yaml (checked against the files below).
FILTERS = {
    "lm-eval:strict-match": {"regex_pattern": r"#### (\-?[0-9\.\,]+)"},
    "lm-eval:flexible-extract": {"regex_pattern": r"(-?[$0-9.,]{2,})|(-?[0-9]+)", "group_select": -1},
    "lm-eval:strict-match-cot": {"regex_pattern": r"The answer is (\-?[0-9\.\,]+)."},
}
REGEXES_TO_IGNORE = [",", "\\$", "(?s).*#### ", "\\.$"]


def load_harness(harness: Path):
    """lm-eval's RegexFilter and exact_match function, loaded from the checkout's source with stub registries."""
    api = types.ModuleType("lm_eval.api")
    filt = types.ModuleType("lm_eval.api.filter")
    filt.Filter = type("Filter", (), {})
    reg = types.ModuleType("lm_eval.api.registry")
    reg.register_filter = lambda name: (lambda cls: cls)
    sys.modules.update({"lm_eval": types.ModuleType("lm_eval"), "lm_eval.api": api, "lm_eval.api.filter": filt,
                        "lm_eval.api.registry": reg})
    extraction = {}
    exec(compile((harness / "lm_eval/filters/extraction.py").read_text(), "extraction.py", "exec"), extraction)
    # Only the metric function from metrics.py (the module imports much more than it needs here).
    metrics_src = (harness / "lm_eval/api/metrics.py").read_text()
    fn = next(n for n in ast.parse(metrics_src).body
              if isinstance(n, ast.FunctionDef) and n.name == "exact_match_hf_evaluate")
    scope = {}
    exec("import re, string\nimport numpy as np\n" + ast.get_source_segment(metrics_src, fn), scope)
    return extraction["RegexFilter"], scope["exact_match_hf_evaluate"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--harness", type=Path, required=True, help="a checkout of EleutherAI/lm-evaluation-harness")
    ap.add_argument("--commit", help="the harness commit, when --harness is an export rather than a git checkout")
    args = ap.parse_args()
    for task in ("gsm8k.yaml", "gsm8k-cot.yaml"):
        text = (args.harness / "lm_eval/tasks/gsm8k" / task).read_text()
        assert "regexes_to_ignore" in text and "(-?[$0-9.,]{2,})|(-?[0-9]+)" in text, task
    RegexFilter, exact_match = load_harness(args.harness)
    cases = json.loads(CASES.read_text())
    rows = []
    for case in cases:
        row = {"text": case["text"], "reference": case["reference"]}
        for name, kwargs in FILTERS.items():
            [[answer]] = RegexFilter(**kwargs).apply([[case["text"]]], [{}])
            correct = exact_match(predictions=[answer], references=[case["reference"]],
                                  regexes_to_ignore=REGEXES_TO_IGNORE, ignore_case=True)["exact_match"]
            row[name] = {"filtered": answer, "correct": bool(correct == 1.0)}
        rows.append(row)
    commit = args.commit or subprocess.run(["git", "-C", str(args.harness), "rev-parse", "HEAD"],
                                           capture_output=True, text=True).stdout.strip()
    OUT.write_text(json.dumps({"harnessCommit": commit or None, "cases": rows}, indent=1) + "\n")
    print(f"wrote {len(rows)} cases to {OUT}")


if __name__ == "__main__":
    main()
