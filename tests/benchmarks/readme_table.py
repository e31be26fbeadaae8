"""Print the latest benchmark figures (build/benchmarks.json) as a Markdown table for README.

    .venv/bin/python tests/benchmarks/readme_table.py
"""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    results = json.loads((ROOT / "build" / "benchmarks.json").read_text())
    print("| figure | measured | goal | met |")
    print("|---|---|---|---|")
    for r in results:
        value = f"{r['value']:.2f}".rstrip("0").rstrip(".")
        print(f"| {r['name']} | {value} {r['unit']} | {r['goal']} | "
              f"{'yes' if r['met'] else '**no**'} |")


if __name__ == "__main__":
    main()
