"""State diagrams as SVG, drawn by Graphviz's `dot` from the text that workflows/docs.py derives."""

import shutil
import subprocess

from service.errors import NotAcceptable


def render_svg(source: str) -> bytes:
    """SVG from Graphviz's `dot` (Debian package graphviz); 406 with the reason when it is not installed."""
    if shutil.which("dot") is None:
        raise NotAcceptable(
            "SVG diagrams need Graphviz's `dot` on the server (apt-get install graphviz); ask for text/plain instead.",
            da="SVG-diagrammer kræver Graphviz' `dot` på serveren (apt-get install graphviz); bed om text/plain i stedet.",
        )
    return subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True, timeout=20).stdout
