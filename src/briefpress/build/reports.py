"""Checks stage, reports: findings as lines, JSON and JUnit XML for CI dashboards."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from typing import Any

from ..errors import display_path, printable
from .results import BriefResult, failures


def lines(result: BriefResult, verbose: bool = False) -> list[str]:
    """Findings in the editor's words; ``verbose`` adds each rule's terms (CSS classes).

    Hard rules' findings are already among the brief's errors, so they are repeated
    only under ``verbose``, for their terms.
    """
    from ..layout import Finding

    path = display_path(result.path)
    found = []
    for findings in (result.rules or {}).values():
        for data in findings:
            finding = Finding.from_dict(data)
            if finding.warning:
                finding = replace(finding, message=f"warning: {finding.message}")
            if verbose or not (finding.hard and result.layout_failed):
                found.append(finding.text(path, verbose))
    return found


def as_json(results: list[BriefResult]) -> str:
    """The results as ``check --json`` prints them: one object per brief, each rule's findings."""
    briefs: list[dict[str, Any]] = []
    for result in results:
        rules = {
            rule: {"pass": not failures(findings), "findings": findings}
            for rule, findings in (result.rules or {}).items()
        }
        briefs.append(
            {
                "path": display_path(result.path),
                "pass": result.ok and not any(map(failures, (result.rules or {}).values())),
                "errors": result.errors,
                "warnings": result.warnings,
                "pages": result.pages,
                "rules": rules,
            }
        )
    return json.dumps(briefs, indent=2, ensure_ascii=False)


def as_junit(results: list[BriefResult], seconds: float) -> bytes:
    """One testsuite per brief, one testcase per rule (and one for the build itself)."""
    suites = ET.Element("testsuites", name="briefpress check", time=f"{seconds:.3f}")
    for result in results:
        path = display_path(result.path)
        suite = ET.SubElement(suites, "testsuite", name=path)
        cases = 0
        failed = 0
        build = ET.SubElement(suite, "testcase", classname=path, name="build")
        cases += 1
        if result.errors:
            failed += 1
            failure = ET.SubElement(build, "failure", message=result.errors[0], type="build")
            failure.text = "\n".join(result.errors)
        if result.warnings:  # lint and reading warnings: shown with the build, never failing it
            out = ET.SubElement(build, "system-out")
            out.text = "\n".join(f"warning: {warning}" for warning in result.warnings)
        for rule, findings in (result.rules or {}).items():
            case = ET.SubElement(suite, "testcase", classname=path, name=rule)
            cases += 1
            failing = failures(findings)
            if failing:
                failed += 1
                text = [f"page {f['page'] or '-'}: {f['message']}" for f in failing]
                failure = ET.SubElement(case, "failure", message=text[0], type=rule)
                failure.text = "\n".join(text)
            warned = [f for f in findings if f not in failing]
            if warned:  # a warning passes, and is shown with the test
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(
                    f"warning: page {f['page'] or '-'}: {f['message']}" for f in warned
                )
        suite.set("tests", str(cases))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
    for element in suites.iter():
        # XML 1.0 cannot hold control characters at all, even as references.
        element.text = printable(element.text) if element.text else element.text
        for name, value in element.attrib.items():
            element.set(name, printable(value))
    ET.indent(suites)
    data: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
