"""Landing page content: the marketer's Markdown intro, rendered and sanitized."""
import markdown
import nh3


def intro_html(text: str) -> str:
    """The marketer's Markdown, rendered then sanitized: no script, no handlers."""
    return nh3.clean(markdown.markdown(text or "", extensions=["sane_lists"]))
