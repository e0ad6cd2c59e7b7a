"""Draws assets/icon.png, the page icon: Material Symbols Rounded "child_care" (Apache
License 2.0) from the font Streamlit itself bundles. A local file, because Streamlit fetches
a `:material/…:` page icon from fonts.gstatic.com (issue 16).

    .venv/bin/python scripts/make_icon.py"""

from pathlib import Path

import streamlit
from PIL import Image, ImageDraw, ImageFont

CHILD_CARE = "\ueb41"
SIZE, COLOUR = 64, (38, 94, 168, 255)
OUT = Path(__file__).resolve().parent.parent / "assets" / "icon.png"

font_file = next((Path(streamlit.__file__).parent / "static").rglob("MaterialSymbols-Rounded*.woff2"))
font = ImageFont.truetype(str(font_file), 60)
image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
draw = ImageDraw.Draw(image)
left, top, right, bottom = draw.textbbox((0, 0), CHILD_CARE, font=font)
draw.text(((SIZE - right + left) / 2 - left, (SIZE - bottom + top) / 2 - top), CHILD_CARE, font=font, fill=COLOUR)
image.save(OUT)
print(f"wrote {OUT}")
