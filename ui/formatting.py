"""Small formatting helpers for numbers shown to people."""


def human_size(num_bytes: float) -> str:
    """``1536`` -> ``'1.5 KiB'``; bytes as whole numbers, larger units with one decimal."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if num_bytes < 1024 or unit == "GiB":
            return f"{num_bytes:.0f} {unit}" if unit == "B" else f"{num_bytes:.1f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.1f} GiB"
