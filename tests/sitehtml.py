"""Real API v2 records rendered to HTML the way the website's record history serves their rich text.

How the website renders, derived from the one real saved answer (``tests/fixtures/history/``, the
``?history=true`` answer for NCT03690141) and nothing else:

- the Markdown is rendered as CommonMark (``<p>``, ``<ul><li>``, ``<ol>``; tight list items without
  ``<p>``, a loose one with it);
- no newline between tags (``</p><ul><li>``), while a soft line break inside a paragraph stays ``\\n``;
- a value that is one paragraph is not wrapped in ``<p>`` at all (``detailedDescription``, arm and
  outcome descriptions there are bare text);
- in text, ``/`` is ``&#x2F;`` and ``'`` is ``&#x27;`` besides the usual ``&amp;``, ``&lt;``, ``&gt;``
  (the answer holds 24 ``&#x2F;``, 3 ``&#x27;`` and 1 ``&gt;``, no raw ``/`` or ``'`` in rich text).

Only the fields ClinicalTrials.gov types as markup (``studies_metadata.json``: sourceType MARKUP) are
rendered; every other field stays as the API gave it.

``python tests/sitehtml.py OUT.json`` writes the three upstream versions of NCT03549754 that the tests
use (``three_versions``) as a ``--history`` file for ``python -m pipeline.standin`` (the README's demo).
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

_COMMONMARK = MarkdownIt("commonmark")
_BLOCK_TAG = r"</?(?:p|ul|ol|li|h[1-6]|pre|blockquote|hr)\b[^>]*>"
_NEWLINE_AFTER_TAG = re.compile(rf"({_BLOCK_TAG})\n")
_NEWLINE_BEFORE_TAG = re.compile(rf"\n(?={_BLOCK_TAG})")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")

MARKUP_FIELDS = {
    ("statusModule", "whyStopped"),
    ("descriptionModule", "briefSummary"),
    ("descriptionModule", "detailedDescription"),
    ("designModule", "designInfo", "interventionModelDescription"),
    ("designModule", "designInfo", "maskingInfo", "maskingDescription"),
    ("designModule", "bioSpec", "description"),
    ("armsInterventionsModule", "armGroups", "description"),
    ("armsInterventionsModule", "interventions", "description"),
    ("outcomesModule", "primaryOutcomes", "description"),
    ("outcomesModule", "secondaryOutcomes", "description"),
    ("outcomesModule", "otherOutcomes", "description"),
    ("eligibilityModule", "eligibilityCriteria"),
    ("eligibilityModule", "genderDescription"),
    ("eligibilityModule", "studyPopulation"),
    ("referencesModule", "seeAlsoLinks", "label"),
    ("referencesModule", "availIpds", "comment"),
    ("ipdSharingStatementModule", "description"),
    ("ipdSharingStatementModule", "timeFrame"),
    ("ipdSharingStatementModule", "accessCriteria"),
}
"""The protocol section's markup fields (sourceType MARKUP in the official field tree)."""


def website_html(markdown: str) -> str:
    """One Markdown value as the website's HTML."""
    html = _COMMONMARK.render(markdown).strip("\n")
    html = _NEWLINE_BEFORE_TAG.sub("", _NEWLINE_AFTER_TAG.sub(r"\1", html))
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[len("<p>") : -len("</p>")]
    parts = _TAG_OR_TEXT.split(html)
    return "".join(
        part if part.startswith("<") else part.replace("/", "&#x2F;").replace("'", "&#x27;") for part in parts
    )


def website_record(raw: dict[str, Any]) -> dict[str, Any]:
    """A copy of a real API v2 record with every markup field rendered as the website serves it."""
    record = copy.deepcopy(raw)
    protocol = record.get("protocolSection", {})
    for path in MARKUP_FIELDS:
        _render_at(protocol, path)
    return record


def rendered_count(raw: dict[str, Any]) -> int:
    """How many markup values of a record are rendered (to show the test ran over real text)."""
    found: list[str] = []
    protocol = raw.get("protocolSection", {})
    for path in MARKUP_FIELDS:
        _collect(protocol, path, found)
    return len(found)


def _render_at(node: Any, path: tuple[str, ...]) -> None:
    if isinstance(node, list):
        for item in node:
            _render_at(item, path)
        return
    if not isinstance(node, dict) or path[0] not in node:
        return
    if len(path) == 1:
        if isinstance(node[path[0]], str):
            node[path[0]] = website_html(node[path[0]])
        return
    _render_at(node[path[0]], path[1:])


def _collect(node: Any, path: tuple[str, ...], found: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect(item, path, found)
    elif isinstance(node, dict) and path[0] in node:
        if len(path) == 1:
            if isinstance(node[path[0]], str):
                found.append(node[path[0]])
        else:
            _collect(node[path[0]], path[1:], found)


VERSIONS = Path(__file__).resolve().parent / "fixtures" / "versions"


def three_versions() -> list[tuple[str, dict[str, Any]]]:
    """Upstream versions 0, 1, 2 of NCT03549754 as (submitted date, study as the website serves it),
    derived by code from its two real versions: 1 and 2 are the real records; 0 is the older one as if
    first posted (status NOT_YET_RECRUITING, dated its first QC submission and first posting)."""
    old = json.loads((VERSIONS / "NCT03549754@2025-06-04.json").read_text(encoding="utf-8"))
    new = json.loads((VERSIONS / "NCT03549754@2025-12-09.json").read_text(encoding="utf-8"))
    first = copy.deepcopy(old)
    status = first["protocolSection"]["statusModule"]
    status["overallStatus"] = "NOT_YET_RECRUITING"
    status["lastUpdatePostDateStruct"]["date"] = status["studyFirstPostDateStruct"]["date"]
    return [
        (status["studyFirstSubmitQcDate"], website_record(first)),
        (old["protocolSection"]["statusModule"]["lastUpdateSubmitDate"], website_record(old)),
        (new["protocolSection"]["statusModule"]["lastUpdateSubmitDate"], website_record(new)),
    ]


if __name__ == "__main__":
    document = {
        "_about": "Derived by tests/sitehtml.py from tests/fixtures/versions (see three_versions)",
        "NCT03549754": [{"date": day, "study": study} for day, study in three_versions()],
    }
    Path(sys.argv[1]).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
