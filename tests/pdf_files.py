"""What a PDF made by the tests holds, read with poppler-utils (installed by .ci/run): its
text as laid out, and each page's size."""

import re
import subprocess
from pathlib import Path


def text(path: Path, page: int | None = None) -> str:
    """pdftotext -layout of the PDF, or of one of its pages (from 1); pages end in a form feed."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """(width, height) in points of every page, in order (pdfinfo)."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "100000", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
