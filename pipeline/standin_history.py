"""The stand-in's record history: the website's internal API (``/api/int``) over versions it is given.

Standard library only, like ``pipeline.standin``, which routes every ``/api/int/...`` request here:

- ``GET /api/int/studies/{id}/history``: ``{"changes": [{version, date, status, moduleLabels}], ...}``
  with the shape of the real saved answer (``tests/fixtures/history/``); ``moduleLabels`` name the
  modules that differ from the previous version, in the website's words;
- ``GET /api/int/studies/{id}/history/{v}``: ``{"studyVersion": v, "study": {...}}``;
- ``GET /api/int/studies/{id}?history=true``: ``{"study", "topics", "history"}``, the latest version.

A study without versions answers 404 "No study NCTxxxxxxxx history summary". Tests steer it through
``StandIn.set_history`` (versions as ``(submitted date, study)`` pairs, oldest first) and
``StandIn.set_history_answer`` (a raw answer for one trial, e.g. one without ``changes``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

Study = dict[str, Any]
Answer = tuple[int, object]
"""(HTTP status, JSON document or a text/plain message)."""

MODULE_LABELS = {
    "identificationModule": "Study Identification",
    "statusModule": "Study Status",
    "sponsorCollaboratorsModule": "Sponsor/Collaborators",
    "oversightModule": "Oversight",
    "descriptionModule": "Study Description",
    "conditionsModule": "Conditions",
    "designModule": "Study Design",
    "armsInterventionsModule": "Arms and Interventions",
    "outcomesModule": "Outcome Measures",
    "eligibilityModule": "Eligibility",
    "contactsLocationsModule": "Contacts/Locations",
    "referencesModule": "References",
    "ipdSharingStatementModule": "IPD Sharing Statement",
}
"""The website's names of the protocol modules, as its history tab lists them."""

_ROUTE = re.compile(r"^/studies/([^/]+)(?:/history(?:/(\d+))?)?$")


class HistoryArchive:
    """Each trial's upstream versions, and how the internal API answers for them. Not thread-safe: the
    stand-in calls it under its own lock."""

    def __init__(self) -> None:
        self._versions: dict[str, list[tuple[str, Study]]] = {}
        self._raw: dict[str, Answer] = {}

    def set(self, nct_id: str, versions: list[tuple[str, Study]]) -> None:
        self._versions[nct_id] = list(versions)
        self._raw.pop(nct_id, None)

    def set_raw(self, nct_id: str, status: int, body: object) -> None:
        self._raw[nct_id] = (status, body)

    def route(self, path: str, params: dict[str, str]) -> Answer:
        match = _ROUTE.match(path)
        if match is None:
            return 404, f"Not found: /api/int{path}"
        nct_id, version = match.group(1).upper(), match.group(2)
        is_list = path.endswith("/history")
        if nct_id in self._raw and (is_list or params.get("history") == "true"):
            return self._raw[nct_id]
        versions = self._versions.get(nct_id)
        if not versions:
            return 404, f"No study {nct_id} history summary"
        if version is not None:
            number = int(version)
            if number >= len(versions):
                return 404, f"No version {number} of study {nct_id}"
            return 200, {"studyVersion": number, "study": versions[number][1]}
        history = history_summary(versions)
        if is_list:
            return 200, history
        return 200, {"study": versions[-1][1], "topics": {}, "history": history}


def history_summary(versions: list[tuple[str, Study]]) -> dict[str, Any]:
    """The ``history`` object of a list of versions: one change per version, modules that changed."""
    changes = []
    previous: dict[str, Any] = {}
    for number, (day, study) in enumerate(versions):
        protocol = study.get("protocolSection", {})
        labels = [] if number == 0 else changed_modules(previous, protocol)
        status = protocol.get("statusModule", {}).get("overallStatus")
        changes.append({"version": number, "date": day, "status": status, "moduleLabels": labels})
        previous = protocol
    return {"changes": changes, "lastUpdateVersions": {}, "originalData": {}, "outcomesUpdateCount": 0}


def changed_modules(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The website's labels of the protocol modules that differ between two versions, in its order."""
    return [label for module, label in MODULE_LABELS.items() if old.get(module) != new.get(module)]


def load_history_file(path: Path) -> dict[str, list[tuple[str, Study]]]:
    """``{"NCT…": [{"date": "YYYY-MM-DD", "study": {...}}, ...]}`` (oldest first), for ``--history``."""
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict):
        raise ValueError(f"{path}: expected an object of NCT ID -> list of versions")
    return {
        nct_id: [(str(item["date"]), item["study"]) for item in versions]
        for nct_id, versions in document.items()
        if not nct_id.startswith("_")  # "_about" says where the versions come from
    }
