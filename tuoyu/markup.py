"""Text that people typed (file names, task notes, names, values from a link), placed in
Streamlit's Markdown (st.markdown, st.caption, alerts, expander labels) so that it shows
exactly as typed and never becomes an image, a link, a heading or a coloured span.

Backslash-escaping Markdown's punctuation is not enough in Streamlit: its GFM plugin turns
bare http://…, www.… and e-mail addresses into links after escapes are resolved, and its
:material/…: and emoji short codes are read from plain text. A zero-width space after every
colon and @, and between "www" and its dot, breaks those patterns without changing what
is seen."""

import re
import string

_ZERO_WIDTH = "\u200b"
_ESCAPE = {ord(c): "\\" + c for c in string.punctuation}
_WWW = re.compile(r"(?i)(www)(?=\.)")
_BREAKS = re.compile(r"\s*[\t\r\n]+\s*")  # one line: a tab or a new line could start a code block


def literal(value) -> str:
    """Markdown that renders as the text of `value`, on one line."""
    text = _BREAKS.sub(" ", "" if value is None else str(value)).strip()
    text = _WWW.sub(r"\1" + _ZERO_WIDTH, text)
    text = text.replace(":", ":" + _ZERO_WIDTH).replace("@", "@" + _ZERO_WIDTH)
    return text.translate(_ESCAPE)
