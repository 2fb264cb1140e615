"""Small formatting helpers for numbers shown to people."""


def human_size(num_bytes: float) -> str:
    """``1536`` -> ``'1.5 KiB'``; bytes as whole numbers, larger units with one decimal."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if num_bytes < 1024 or unit == "GiB":
            return f"{num_bytes:.0f} {unit}" if unit == "B" else f"{num_bytes:.1f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.1f} GiB"


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    """A Markdown table; ``|`` and line breaks inside cells are escaped so a cell cannot break it."""

    def cell(value: object) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(cell(name) for name in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)

