"""Server-rendered highlight marks: the text stays the text, overlaps split cleanly, all escaped."""
from __future__ import annotations

import random
import re
from html.parser import HTMLParser
from types import SimpleNamespace

from markupsafe import Markup

from factdesk.articles.marks import render_marked_text


class _Parse(HTMLParser):
    """Collects the text content and, for each text run, the stack of open elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.runs: list[tuple[str, list[tuple[str, dict]]]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1][0] == tag, f"badly nested </{tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.runs.append((data, list(self.stack)))

    @property
    def text(self) -> str:
        return "".join(d for d, _ in self.runs)


def parse(html: str) -> _Parse:
    p = _Parse()
    p.feed(html)
    p.close()
    assert not p.stack, "unclosed elements"
    return p


def hl(id, start, end, status="new", **kw):
    return {"id": id, "start": start, "end": end, "css_class": f"status-{status}",
            "href": f"#claim-{id}", "label": kw.get("label", f"Claim {id}")}


TEXT = "He said <b>10,000</b> & more.\n\nShe said “no” 🎉 — twice.\nEnd."


def test_no_highlights_is_just_the_escaped_text():
    out = render_marked_text(TEXT, [])
    assert isinstance(out, Markup)
    assert "<b>" not in out and "&lt;b&gt;" in out
    assert parse(out).text == TEXT


def test_one_highlight_is_a_mark_named_once_where_it_starts():
    s = TEXT.index("10,000")
    out = render_marked_text(TEXT, [hl(12, s - 3, s + 10, "researching")])
    p = parse(out)
    assert p.text == TEXT
    marked = [(d, st) for d, st in p.runs if st]
    assert marked == [("<b>10,000</b>", [("mark", {"class": "hl status-researching hl-end", "data-claims": "12"})])]
    # one empty link before the mark: the claim's keyboard stop, its name and the panel's way back
    assert ('<a class="status-researching" id="hl-12" href="#claim-12" aria-label="Claim 12"></a>'
            '<mark class="hl status-researching hl-end"') in out
    assert "title=" not in out


def test_text_is_kept_character_for_character_no_paragraph_markup():
    out = render_marked_text(TEXT, [hl(1, 0, len(TEXT))])
    p = parse(out)
    assert p.text == TEXT
    assert not {"p", "br", "div"} & set(p.tags)
    assert "\n\n" in out


def test_overlapping_highlights_split_at_every_boundary():
    #            0         1         2         3
    text = "alpha beta gamma delta epsilon"
    a = hl(12, 0, 16, "researching")           # alpha beta gamma
    b = hl(15, 6, 22, "in_review")             # beta gamma delta
    out = render_marked_text(text, [a, b])
    p = parse(out)
    assert p.text == text
    segs = [(d, st[0][1] if st else None) for d, st in p.runs]
    assert segs == [
        ("alpha ", {"class": "hl status-researching", "data-claims": "12"}),
        ("beta gamma", {"class": "hl status-in_review hl-end hl-d2", "data-claims": "15 12"}),
        (" delta", {"class": "hl status-in_review hl-end", "data-claims": "15"}),
        (" epsilon", None),
    ]
    # each claim is a link once, where it starts, whatever the number of stretches it covers
    assert re.findall(r'<a [^>]*href="([^"]+)"', out) == ["#claim-12", "#claim-15"]
    assert out.index('id="hl-15"') < out.index(">beta gamma<")


def test_nested_highlight_is_on_top_and_outer_resumes_after_it():
    text = "one two three four five"
    outer, inner = hl(1, 0, 23, "new"), hl(2, 8, 13, "approved")
    p = parse(render_marked_text(text, [outer, inner]))
    segs = [(d, st[0][1]["data-claims"], st[0][1]["class"]) for d, st in p.runs]
    assert segs == [("one two ", "1", "hl status-new"), ("three", "2 1", "hl status-approved hl-end hl-d2"),
                    (" four five", "1", "hl status-new hl-end")]


def test_depth_is_counted_up_to_four():
    text = "a b c d e f g h"
    out = render_marked_text(text, [hl(i, i, len(text) - i) for i in range(6)])
    p = parse(out)
    classes = [st[0][1]["class"].split()[-1] for _, st in p.runs if st]
    assert "hl-d4" in classes and "hl-d5" not in " ".join(classes) and "hl-d6" not in " ".join(classes)
    assert p.text == text


def test_identical_spans_name_both_claims():
    text = "same words here"
    out = render_marked_text(text, [hl(3, 0, 10), hl(4, 0, 10)])
    p = parse(out)
    first = p.runs[0][1][0][1]
    assert first["data-claims"] == "4 3" and "hl-d2" in first["class"]
    assert 'id="hl-3"' in out and 'id="hl-4"' in out


def test_attributes_and_text_are_escaped():
    text = 'x <script>alert("1")</script> y'
    evil = {"id": '7" onmouseover="x', "start": 2, "end": 29, "css_class": 'a" onclick="b',
            "href": 'javascript:"><img src=x>', "label": '"><script>t</script>'}
    out = render_marked_text(text, [evil])
    assert "<script>" not in out and "<img" not in out
    assert ' onclick="' not in out and ' onmouseover="' not in out
    p = parse(out)
    assert p.text == text
    assert set(p.tags) == {"mark", "a"}


def test_objects_with_attributes_are_accepted_and_missing_href_means_no_link():
    text = "a claim here"
    obj = SimpleNamespace(id=9, start=2, end=7, css_class="status-new rating-false",
                          href=None, label=None)
    out = render_marked_text(text, [obj])
    p = parse(out)
    assert p.runs[1] == ("claim", [("mark", {"class": "hl status-new rating-false hl-end",
                                             "data-claims": "9"})])
    assert '<span class="status-new rating-false" id="hl-9"></span>' in out and "<a" not in out


def test_invalid_spans_are_skipped():
    text = "short"
    out = render_marked_text(text, [hl(1, 3, 3), hl(2, -1, 2), hl(3, 2, 99),
                                    {"id": 4, "start": None, "end": 2}])
    assert out == Markup("short")


def test_emoji_and_combining_characters_keep_offsets():
    text = "🎉🇺🇦 A minister said 40% — e\u0301 fine"
    s = text.index("40%")
    p = parse(render_marked_text(text, [hl(5, s, s + 3)]))
    assert p.text == text
    assert [d for d, st in p.runs if st] == ["40%"]


def test_many_random_overlaps_keep_text_and_nesting():
    rng = random.Random(5)
    text = ("Lorem ipsum dolor sit amet, “consectetur” adipiscing <elit> & 🎉.\n\n" * 40)
    his = []
    for i in range(300):
        s = rng.randrange(len(text) - 1)
        his.append(hl(i, s, min(len(text), s + rng.randrange(1, 200))))
    out = render_marked_text(text, his)
    p = parse(out)
    assert p.text == text
    # every character covered by some highlight sits in a mark naming exactly those highlights
    pos = 0
    for data, stack in p.runs:
        covering = {str(h["id"]) for h in his if h["start"] <= pos < h["end"]}
        named = set(stack[0][1]["data-claims"].split()) if stack else set()
        assert covering == named
        for k in range(len(data)):
            assert {str(h["id"]) for h in his if h["start"] <= pos + k < h["end"]} == covering
        pos += len(data)
    assert len(re.findall(r'id="hl-\d+"', out)) == 300


def test_prepared_marks_render_as_the_same_highlights_given_as_dicts():
    """render_marks (the desk page's pieces, escaped beforehand) is render_marked_text without the escaping."""
    from factdesk.articles.marks import opening, render_marks

    rng = random.Random(8)
    text = "One <two> & three, “four” five.\n\nSix seven 🎉 eight. " * 12
    his = []
    for i in range(120):
        s = rng.randrange(-3, len(text))
        his.append(hl(i, s, s + rng.randrange(-2, 90), rng.choice(["new", "researching", "in_review"])))
    prepared = [(h["start"], h["end"], str(h["id"]), h["css_class"],
                 opening(str(h["id"]), h["css_class"], h["href"], h["label"])) for h in his]
    out = render_marks(text, prepared)
    assert isinstance(out, Markup) and out == render_marked_text(text, his)
    assert parse(out).text == text
