"""`junit.xml`: one test suite per gate, one test case per check, so CI shows what failed."""

from __future__ import annotations

from xml.etree import ElementTree

from tinyrelease.checks.checkinfo import info
from tinyrelease.checks.findings import Finding
from tinyrelease.checks.results import GatesReport


def render(report: GatesReport) -> str:
    name = "tinyrelease gates" + (" (partial run)" if report.partial else "")
    suites = ElementTree.Element("testsuites", name=name)
    for gate in report.gates:
        suite = ElementTree.SubElement(suites, "testsuite", name=gate.name,
                                       time=f"{gate.duration_s:.4f}")
        failures = 0
        if report.partial:
            properties = ElementTree.SubElement(suite, "properties")
            ElementTree.SubElement(properties, "property", name="partial",
                                   value="; ".join(report.scope))
        for code in [*gate.checks_run, *sorted(gate.skipped)]:
            case = ElementTree.SubElement(suite, "testcase", classname=f"gates.{gate.name}",
                                          name=f"{code} {_title(code)}")
            if code in gate.skipped:
                ElementTree.SubElement(case, "skipped", message=gate.skipped[code])
                continue
            errors = [f for f in gate.findings if f.code == code and f.counts]
            others = [f for f in gate.findings if f.code == code and not f.counts]
            if errors:
                failures += 1
                failure = ElementTree.SubElement(case, "failure",
                                                 message=f"{len(errors)} error(s)")
                failure.text = "\n".join(_line(f) for f in errors)
            if others:
                output = ElementTree.SubElement(case, "system-out")
                output.text = "\n".join(_line(f) for f in others)
        suite.set("tests", str(len(gate.checks_run) + len(gate.skipped)))
        suite.set("failures", str(failures))
        suite.set("skipped", str(len(gate.skipped)))
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _line(finding: Finding) -> str:
    waived = f" (waived: {finding.waived})" if finding.waived else ""
    return (f"{finding.at()}: {finding.severity.value}: {finding.message}"
            f"{finding.also(limit=50)}{waived}")


def _title(code: str) -> str:
    check = info(code)
    return check.title if check else code
