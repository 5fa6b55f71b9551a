"""
The one runner for the test files under training/ (they run as plain scripts, without pytest): every `test_*`
function of a module, each reported as ok or FAIL with its traceback, and exit status 1 if any failed.
"""

import sys
import traceback


def run_tests(namespace: dict, sort_names: bool = False) -> None:
    """Run the `test_*` callables of `namespace` (a module's globals()), in definition order or by name."""
    items = sorted(namespace.items()) if sort_names else list(namespace.items())
    tests = [(n, f) for n, f in items if n.startswith("test_") and callable(f)]
    failed = 0
    for name, fn in tests:
        try:
            fn()
            print(f"ok    {name}")
        except Exception:
            failed += 1
            print(f"FAIL  {name}\n{traceback.format_exc()}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
