"""`report.sarif`: SARIF 2.1.0 so GitHub code scanning annotates the lines the gates flagged."""

from __future__ import annotations

from tinyrelease.checks import __version__
from tinyrelease.checks.checkinfo import info
from tinyrelease.checks.findings import Finding, Severity
from tinyrelease.checks.reports.json_report import readable
from tinyrelease.checks.results import GatesReport

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: GatesReport) -> str:
    codes = sorted({code for gate in report.gates for code in gate.checks_run})
    rules = [_rule(code) for code in codes]
    index = {code: number for number, code in enumerate(codes)}
    results = [_result(f, index) for f in report.findings if f.code in index]
    notes = [{"level": "note", "descriptor": {"id": code},
              "message": {"text": f"{code} skipped: {reason}"}}
             for code, reason in sorted(report.skipped.items())]
    run = {
        "tool": {"driver": {"name": "tinyrelease", "version": __version__,
                            "informationUri": "https://example.org/tinyrelease",
                            "rules": rules}},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "originalUriBaseIds": {"COURSEROOT": {"uri": report.course.root.as_uri() + "/"}},
        "results": results,
        "properties": {"level": report.level, "status": report.status,
                       "partial": report.partial, "scope": report.scope},
    }
    document = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return readable(document) + "\n"


def _rule(code: str) -> dict[str, object]:
    check = info(code)
    if check is None:
        return {"id": code, "shortDescription": {"text": code}}
    summary = check.docs.split("\n\n")[0] if check.docs else check.title
    return {"id": code, "name": check.title, "shortDescription": {"text": check.title},
            "fullDescription": {"text": summary}, "help": {"text": check.docs or check.title},
            "defaultConfiguration": {"level": LEVELS[Severity(check.severity)]},
            "properties": {"tags": [check.gate]}}


def _location(path: str, line: int | None) -> dict[str, object]:
    location: dict[str, object] = {"artifactLocation": {"uri": path, "uriBaseId": "COURSEROOT"}}
    if line:
        location["region"] = {"startLine": line}
    return {"physicalLocation": location}


def _result(finding: Finding, index: dict[str, int]) -> dict[str, object]:
    result: dict[str, object] = {"ruleId": finding.code, "ruleIndex": index[finding.code],
                                 "level": LEVELS[finding.severity],
                                 "message": {"text": finding.message}}
    if finding.path:
        result["locations"] = [_location(finding.path, finding.line)]
    if finding.places:  # the same cause elsewhere
        result["relatedLocations"] = [{"id": number, **_location(path, line)}
                                      for number, (path, line) in enumerate(finding.places, 1)]
    if finding.waived:
        result["suppressions"] = [{"kind": "external", "justification": finding.waived}]
    return result
