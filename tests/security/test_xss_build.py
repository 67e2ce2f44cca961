"""No live script from content: an XSS corpus in every Markdown body and every front-matter
string, run through a full build; every HTML, SVG and XML file of the output is then parsed
and checked for script the theme did not put there.

What "live script" means is in seckit.live_script: a <script> that is not the theme's own
file or a JSON-LD data block (which must be JSON and unable to close its element), any on*
attribute, a javascript:, vbscript: or data: URL in href, src, action, formaction,
xlink:href, srcset and the like, <iframe>, <object>, <embed>, <base>, <form>, a <meta
http-equiv> other than the theme's Content-Security-Policy, and active CSS.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from seckit import live_script
from site_helpers import make_site, page

from boardwatch.build import build
from boardwatch.diagnostics import Diagnostics
from boardwatch.frontmatter import parse
from boardwatch.markup import sanitize
from boardwatch.model import Kind, Source
from boardwatch.schema import validate

# Raw HTML and Markdown that try to run script; each line is also one sanitizer case below.
BODY_PAYLOADS = [
    "<script>alert('body')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<img srcset=\"javascript:alert(1) 1x, data:image/png;base64,AAAA 2x\" src=\"ok.png\">",
    "<a href=\"javascript:alert(1)\">js</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">mixed case</a>",
    "<a href=\"java&#x09;script:alert(1)\">tab entity</a>",
    "<a href=\"java\tscript:alert(1)\">raw tab</a>",
    "<a href=\" javascript:alert(1)\">leading space</a>",
    "<a href=\"&#106;avascript:alert(1)\">decimal entity</a>",
    "<a href=\"&#x6A;avascript&#58;alert(1)\">hex entities</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">data</a>",
    "<a href=\"vbscript:msgbox(1)\">vbscript</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">newline entity</a>",
    "[markdown link](javascript:alert(1))",
    "[angle link](<javascript:alert(1)>)",
    "[ref link][evil]\n\n[evil]: javascript:alert(1)",
    "![markdown image](javascript:alert(1))",
    "![svg image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<javascript:alert(1)>",
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"0\" y=\"10\">svg link</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s></animate><set attributeName=href to=javascript:alert(1)/></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"https://evil.example/x.swf\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<style>body{background:url(\"javascript:alert(1)\")} p{width:expression(alert(1))}</style>",
    "<div style=\"width: expression(alert(1)); background: url(javascript:alert(1))\">styled</div>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://evil.example/\">",
    "<form action=\"javascript:alert(1)\"><button formaction=\"javascript:alert(1)\">go</button>"
    "<input type=\"submit\" formaction=\"javascript:alert(1)\"></form>",
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<video poster=\"javascript:alert(1)\" src=\"x.mp4\"></video>",
    "<link rel=\"import\" href=\"https://evil.example/x.html\">",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></p></noscript>",
    "<template><script>alert(1)</script></template>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<p onclick=\"alert(1)\" onmouseover='alert(2)'>handlers</p>",
    "A paragraph with attributes\n{: onclick=\"alert(1)\" style=\"x:expression(alert(1))\" }",
    "<a href=\"https://ok.example\" target=\"_blank\" onfocus=\"alert(1)\" autofocus>ok link</a>",
    "<q cite=\"javascript:alert(1)\">quote</q><blockquote cite=\"javascript:alert(1)\">bq</blockquote>",
    "<table background=\"javascript:alert(1)\"><tr><td>t</td></tr></table>",
    "<isindex action=\"javascript:alert(1)\" type=\"image\">",
    "<a href=\"#\" xlink:href=\"javascript:alert(1)\">xlink on html</a>",
    "[[vladimir-putin|<script>alert('label')</script>]]",
    "`<script>alert('code span')</script>`",
    "```html\n<script>alert('fenced')</script>\n```",
]

S = "<script>alert('fm')</script>"  # a front-matter string that must stay text
Q = "\" onmouseover=\"alert(1)\" x=\""  # one that tries to break out of an attribute
LINK_URL = 'https://example.org/a?b=<script>alert(1)</script>&c="'


def _yaml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _hostile_site(tmp_path: Path) -> Path:
    body = "\n\n".join(BODY_PAYLOADS)
    article = textwrap.dedent(f"""\
        ---
        title: {_yaml("Title " + S + Q + "</title><script>alert(2)</script>")}
        date: 2026-01-20
        summary: {_yaml("Summary " + S + "<img src=x onerror=alert(1)>")}
        authors: [{_yaml("Author " + S)}, {_yaml(Q)}]
        source:
          name: {_yaml("Source " + S)}
          url: {_yaml('https://example.org/?q="><script>alert(1)</script>')}
          date: 2026-01-19
        actors: [vladimir-putin, dmitry-peskov]
        initiatives: [board-of-peace]
        tags: [{_yaml("tag " + S)}, {_yaml(Q)}, {_yaml("</script><script>alert(1)</script>")}]
        claims:
          - id: hostile-claim
            speaker: dmitry-peskov
            text: {_yaml("Claim text " + S)}
            quote: {_yaml("Quote " + S + Q)}
            about: [vladimir-putin]
            status: disputed
            note: {_yaml("Note " + S)}
        events:
          - date: 2026-01-18
            title: {_yaml("Event " + S + Q)}
            actors: [vladimir-putin]
            initiative: board-of-peace
            type: meeting
        ---
        """) + body + "\n"
    entity = textwrap.dedent(f"""\
        ---
        name: {_yaml("Evil " + S + Q)}
        aliases: [{_yaml("Alias " + S)}, {_yaml("</script><!--")}]
        summary: {_yaml("Entity summary " + S)}
        type: other
        seat: russia
        links:
          - title: {_yaml("Link " + S + Q)}
            url: {_yaml(LINK_URL)}
        tags: [{_yaml("Entity tag " + S)}]
        ---
        """) + body + "\n"
    person = textwrap.dedent(f"""\
        ---
        name: Peskov
        nationality: russia
        roles:
          - title: {_yaml("Role " + S + Q)}
            of: evil-body
        ---
        Works with [[evil-body]].
        """)
    return make_site(tmp_path, {
        "content/articles/hostile.md": article,
        "content/bodies/evil-body.md": entity,
        "content/people/dmitry-peskov.md": person,
    })


@pytest.fixture(scope="module")
def hostile_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("xss")
    root = _hostile_site(tmp)
    out = tmp / "out"
    build(root, out, use_cache=False)
    return out


def test_the_checker_finds_live_script(tmp_path: Path) -> None:
    # The detector itself must see what it is looking for, or the build test below proves nothing.
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.html").write_text("\n".join(p for p in BODY_PAYLOADS if not p.startswith(("[", "`", "!", "A ", "<javascript"))))
    found = {f.problem.split(">")[0] for f in live_script(out)}
    assert len(live_script(out)) >= 40, found
    for needle in ("<script", "onerror", "<iframe", "<object", "<embed", "<base", "<form", "http-equiv",
                   "formaction", "xlink:href", "srcset", "style", "ontoggle", "poster"):
        assert any(needle in f for f in found), (needle, sorted(found))


def test_no_live_script_in_any_output_file(hostile_out: Path) -> None:
    pages = sorted(p.relative_to(hostile_out).as_posix() for p in hostile_out.rglob("*.html"))
    assert "articles/hostile.html" in pages and "bodies/evil-body.html" in pages
    findings = live_script(hostile_out)
    assert findings == [], "\n".join(map(str, findings[:40]))


def test_front_matter_strings_are_shown_as_text(hostile_out: Path) -> None:
    # Each string shows up, characters and all, as the text of some page: escaped, so a parser
    # sees text where the string had tags, and nothing runs.
    texts = {p.relative_to(hostile_out).as_posix(): page(hostile_out, p.relative_to(hostile_out).as_posix()).text
             for p in hostile_out.rglob("*.html")}
    shown = ["Title " + S, "Summary " + S, "Claim text " + S, "Quote " + S, "Note " + S, "Event " + S,
             "Author " + S, "Source " + S, "tag " + S, "Evil " + S, "Entity summary " + S, "Link " + S,
             "Role " + S, "Alias " + S, "Entity tag " + S]
    missing = [s for s in shown if not any(s in text for text in texts.values())]
    assert missing == []
    title = page(hostile_out, "articles/hostile.html").find("title")
    assert "<script>" in title.text  # text inside <title>, not an element


def test_body_text_that_looks_like_code_stays_visible(hostile_out: Path) -> None:
    article = page(hostile_out, "articles/hostile.html")
    codes = " ".join(c.text for c in article.find_all("code"))
    assert "<script>alert('code span')</script>" in codes
    assert "<script>alert('fenced')</script>" in codes
    assert "ok link" in article.text and "handlers" in article.text  # harmless parts are kept


def test_links_keep_only_safe_schemes(hostile_out: Path) -> None:
    article = page(hostile_out, "articles/hostile.html")
    body_links = [a.get("href") for a in article.find_all("a") if a.get("href")]
    for href in body_links:
        parsed = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", re.sub(r"[\t\n\r]", "", href.strip()))
        assert parsed is None or parsed.group(1).lower() in ("http", "https", "mailto"), href


@pytest.mark.parametrize("payload", BODY_PAYLOADS, ids=range(len(BODY_PAYLOADS)))
def test_the_sanitizer_alone_neutralises_each_payload(payload: str, tmp_path: Path) -> None:
    # Defence in depth: raw HTML is safe after nh3 alone, whatever Markdown made of it.
    out = tmp_path / "out"
    out.mkdir()
    (out / "fragment.html").write_text(sanitize(payload))
    assert live_script(out) == []


def _validate(front_matter: str) -> list[str]:
    diags = Diagnostics()
    text = "---\n" + front_matter + "---\nBody.\n"
    doc = parse(Source(path="content/articles/a.md", text=text, sha256="", kind=Kind.ARTICLE, stem="a"), diags)
    if doc is not None:
        validate(doc, diags)
    return [f"{d.code} {d.key_path}" for d in diags]


BAD_URLS = [
    "javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "java\\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "//evil.example/x", "/relative/path", "ftp://example.org/x", "file:///etc/passwd", "mailto:a@b.c",
    "https://", "http:/evil.example", "https:evil.example", "\\\\evil\\share", "https://exa mple.org",
    "https://example.org\u2028javascript:alert(1)", "\u0000https://example.org", "http\u0000s://example.org",
    "https:\\\\evil.example", "https://example.org\njavascript:alert(1)",
]


@pytest.mark.parametrize("url", BAD_URLS, ids=range(len(BAD_URLS)))
def test_front_matter_urls_must_be_http_or_https(url: str) -> None:
    quoted = _yaml(url.replace("\t", "\\t") if "\t" in url else url)
    link_errors = _validate(f"title: T\ndate: 2026-01-01\nsource:\n  name: S\n  url: {quoted}\n")
    assert any(e.startswith("BW207 source.url") or e.startswith("BW104") for e in link_errors), link_errors
    entity = f"name: N\nlinks:\n  - title: L\n    url: {quoted}\n"
    diags = Diagnostics()
    doc = parse(Source(path="content/people/n.md", text="---\n" + entity + "---\n", sha256="", kind=Kind.PERSON,
                       stem="n"), diags)
    if doc is not None:
        validate(doc, diags)
    codes = [f"{d.code} {d.key_path}" for d in diags]
    assert any(c.startswith("BW207 links[0].url") or c.startswith("BW104") for c in codes), codes


@pytest.mark.parametrize("url", ["https://example.org", "http://example.org/a?b=c#d", "HTTPS://EXAMPLE.ORG/x"])
def test_ordinary_http_urls_are_accepted(url: str) -> None:
    assert _validate(f"title: T\ndate: 2026-01-01\nsource:\n  name: S\n  url: {url}\n") == []


def test_templates_escape_every_value() -> None:
    from boardwatch.templates import make_environment
    env = make_environment(None)
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x=S + Q) == (
        "&lt;script&gt;alert(&#39;fm&#39;)&lt;/script&gt;&#34; onmouseover=&#34;alert(1)&#34; x=&#34;")


def test_the_theme_never_marks_a_value_safe() -> None:
    # Markup reaches templates only from the sanitizer (bodies) and from code that escapes what
    # it puts in (JSON-LD, SVG pictures); a template must not switch escaping off itself.
    theme = Path(__file__).resolve().parents[2] / "src" / "boardwatch" / "theme" / "templates"
    offending = [f"{p.name}: {line.strip()}" for p in sorted(theme.rglob("*.html"))
                 for line in p.read_text("utf-8").splitlines()
                 if re.search(r"\|\s*safe\b|autoescape\s+false|\bMarkup\(", line)]
    assert offending == []
