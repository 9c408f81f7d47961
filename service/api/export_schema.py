"""Write schema.graphql from the code: `python -m service.api.export_schema [FILE]`."""

from __future__ import annotations

import sys
from pathlib import Path

from service.api.schema import export_schema


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "schema.graphql"
    target.write_text(export_schema())
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
