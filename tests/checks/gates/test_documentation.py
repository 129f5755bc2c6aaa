"""The documentation gate: ABOUT.md headings, sections, checkpoints, links and stale copies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from coursebuilder import CourseFactory, about, line_of, only

from tinyrelease.checks.findings import Finding, Severity

Findings = Callable[[Path, str], list[Finding]]
CODES = ["DOC101", "DOC102", "DOC103", "DOC111", "DOC121", "DOC131", "DOC141"]
ABOUT1 = "src/01_tensor/ABOUT.md"
H1_LINE = 16


@pytest.mark.parametrize("code", CODES)
def test_base_course_passes(make_course: CourseFactory, findings: Findings, code: str) -> None:
    assert findings(make_course(), code) == []


# The page heading


def test_missing_heading(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({ABOUT1: about(1).replace("# 01. Tensor\n", "")})
    finding = only(findings(root, "DOC101"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, None, Severity.ERROR)
    assert finding.message == 'ABOUT.md has no "# 01. Title" heading'


@pytest.mark.parametrize(("heading", "message"), [
    ("# 07. Tensor", 'heading "# 07. Tensor" has number 07, but the directory is 01_tensor'),
    ("# Tensor", 'heading "# Tensor" has no module number, but the directory is 01_tensor'),
])
def test_heading_number_differs(make_course: CourseFactory, findings: Findings, heading: str,
                                message: str) -> None:
    root = make_course({ABOUT1: about(1).replace("# 01. Tensor", heading)})
    finding = only(findings(root, "DOC102"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, H1_LINE, Severity.ERROR)
    assert message in finding.message


def test_heading_title_differs(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({ABOUT1: about(1).replace("# 01. Tensor", "# 01. Tensors")})
    finding = only(findings(root, "DOC103"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, H1_LINE, Severity.WARNING)
    assert finding.message == ('heading title "Tensors" differs from the front-matter title '
                               '"Tensor"')


@pytest.mark.parametrize("heading", ["# 01. Tensor", "# 01. Tensor - N-dimensional Arrays"])
def test_heading_may_shorten_title(make_course: CourseFactory, findings: Findings,
                                   heading: str) -> None:
    text = about(1).replace('title: "Tensor"', 'title: "Tensor - N-dimensional Arrays"')
    root = make_course({ABOUT1: text.replace("# 01. Tensor", heading)})
    assert findings(root, "DOC103") == []


# Sections and checkpoints


def test_missing_sections(make_course: CourseFactory, findings: Findings) -> None:
    text = about(1).replace("## Testing\n", "").replace("## Overview", "## Background")
    finding = only(findings(make_course({ABOUT1: text}), "DOC111"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, H1_LINE, Severity.ERROR)
    assert finding.message == "ABOUT.md lacks the sections Overview, Testing"


def test_section_variants_accepted(make_course: CourseFactory, findings: Findings) -> None:
    text = (about(1).replace("## Build → Use → Reflect", "## 🔁 Build -> Use -> Optimize")
            .replace("## Learning Objectives", "## 🎯 Learning Objectives:")
            .replace("## Testing", "## Testing Your Tensor"))
    assert findings(make_course({ABOUT1: text}), "DOC111") == []


def test_long_module_without_checkpoints(make_course: CourseFactory, findings: Findings) -> None:
    text = about(1).replace('time_estimate: "2-3 hours"', 'time_estimate: "8-10 hours"')
    text = text.replace("## Getting Started", "**✓ CHECKPOINT 1: Storage**\n\n## Getting Started")
    finding = only(findings(make_course({ABOUT1: text}), "DOC121"))
    assert (finding.path, finding.line, finding.severity) == (ABOUT1, 5, Severity.WARNING)
    assert finding.message.startswith('time estimate "8-10 hours" reaches 8 hours but ABOUT.md '
                                      "has 1 checkpoint marker (")


def test_long_module_with_checkpoints(make_course: CourseFactory, findings: Findings) -> None:
    text = about(1).replace('time_estimate: "2-3 hours"', 'time_estimate: "8-10 hours"')
    text = text.replace("## Getting Started", "**✓ CHECKPOINT 1: Storage**\n\n## Getting Started")
    text = text.replace("## Testing", "**✓ CHECKPOINT 2: Operations**\n\n## Testing")
    assert findings(make_course({ABOUT1: text}), "DOC121") == []


# Links and copies

GOOD_LINKS = """
[next](../02_activations/ABOUT.md#overview) [folder](../03_layers) [web](https://example.org/x.md)
[anchor](#testing) [query](01_tensor.py?plain=1) <img src="01_tensor.py">

<div class="prev-next-area">
<a class="right-next" href="../modules/02_activations_ABOUT.html">Next Module →</a>
</div>
"""


def test_links_that_resolve(make_course: CourseFactory, findings: Findings) -> None:
    text = about(1).replace("Start now.", "Start now.\n" + GOOD_LINKS)
    assert findings(make_course({ABOUT1: text}), "DOC131") == []


@pytest.mark.parametrize(("link", "message"), [
    ("[next](../05_metrics/ABOUT.md)",
     'link "../05_metrics/ABOUT.md" is broken: src/05_metrics/ABOUT.md does not exist'),
    ("![graph](images/graph.png)",
     'image "images/graph.png" is broken: src/01_tensor/images/graph.png does not exist'),
    ("[secret](../../../etc/passwd)", 'link "../../../etc/passwd" points outside the course'),
    ('<a href="../05_metrics/ABOUT.md">next</a>',
     'link "../05_metrics/ABOUT.md" is broken: src/05_metrics/ABOUT.md does not exist'),
])
def test_broken_link(make_course: CourseFactory, findings: Findings, link: str,
                     message: str) -> None:
    text = about(1).replace("Start now.", f"Start now. {link}")
    finding = only(findings(make_course({ABOUT1: text}), "DOC131"))
    assert (finding.path, finding.severity) == (ABOUT1, Severity.ERROR)
    assert finding.line == line_of(text, "Start now.")
    assert finding.message == message


def test_stale_copy_differs(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({"modules/01_tensor/ABOUT.md": about(1).replace("2-3", "3-4"),
                        "modules/02_activations/ABOUT.md": about(2)})
    finding = only(findings(root, "DOC141"))
    assert (finding.path, finding.line, finding.module, finding.severity) == (
        "modules/01_tensor/ABOUT.md", None, "01_tensor", Severity.WARNING)
    assert finding.message == ("modules/01_tensor/ABOUT.md is a stale copy of "
                               "src/01_tensor/ABOUT.md and differs from it")


def test_a_stale_tree_is_one_finding(make_course: CourseFactory, findings: Findings) -> None:
    root = make_course({f"modules/0{n}_{t}/ABOUT.md": about(n).replace("## Overview", "## Old")
                        for n, t in ((1, "tensor"), (2, "activations"), (3, "layers"))})
    finding = only(findings(root, "DOC141"))
    assert finding.message.startswith("modules/ holds 3 stale copies of module pages")
    assert finding.places == (("modules/02_activations/ABOUT.md", None),
                              ("modules/03_layers/ABOUT.md", None))
