"""`make audit`'s verdict (deploy/audit.py): pip-audit alone printed "No known vulnerabilities found" and
exited 0 on this machine, where it had checked none of the lock's packages (review L7). The verdict
passes only when every package was checked and none is vulnerable."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# pip-audit 2.10.1 on requirements.lock here, with its default service (PyPI's JSON API, which answers 404
# for every release on this network), captured as it wrote it.
OFFLINE_REPORT = Path(__file__).parent / "fixtures" / "pip_audit_offline.json"
# The last line pip-audit printed here with `--vulnerability-service osv`, before it stopped without a report.
OSV_UNREACHABLE = ("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): "
                   "Max retries exceeded with url: /v1/query (Caused by NameResolutionError(\"HTTPSConnection("
                   "host='api.osv.dev', port=443): Failed to resolve 'api.osv.dev' ([Errno -2] Name or service "
                   "not known)\"))")
# The JSON example in pip-audit's README ("Audit dependencies in JSON format"), descriptions left out.
DOCUMENTED_REPORT = [
    {"name": "flask", "version": "0.5", "vulns": [
        {"id": "PYSEC-2019-179", "fix_versions": ["1.0"], "aliases": ["CVE-2019-1010083", "GHSA-5wv5-4vpf-pj6m"]},
        {"id": "PYSEC-2018-66", "fix_versions": ["0.12.3"], "aliases": ["CVE-2018-1000656", "GHSA-562c-5r94-xh97"]},
    ]},
    {"name": "jinja2", "version": "3.0.2", "vulns": []},
    {"name": "pip", "version": "21.3.1", "vulns": []},
    {"name": "setuptools", "version": "57.4.0", "vulns": []},
    {"name": "werkzeug", "version": "2.0.2", "vulns": []},
    {"name": "markupsafe", "version": "2.0.1", "vulns": []},
]


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("trygg_deploy_audit", ROOT / "deploy" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def never_passes(lines: list[str]) -> None:
    assert not any("no known vulnerabilities" in line.lower() for line in lines), lines


def test_the_report_pip_audit_writes_here_checks_nothing_and_fails(audit):
    report = json.loads(OFFLINE_REPORT.read_text(encoding="utf-8"))
    assessment = audit.assess(report)
    assert assessment.checked == [] and assessment.vulnerabilities == []
    assert len(assessment.unchecked) == len(report["dependencies"]) > 100
    lines, code = audit.verdict(assessment, "pypi")
    assert code == 1
    assert lines[0] == "could not reach the vulnerability database (PyPI's JSON API): no package was checked"
    assert lines[-1] == f"0 of {len(report['dependencies'])} packages checked: their vulnerability status is unknown"
    never_passes(lines)


def test_a_service_that_cannot_be_reached_fails_and_says_why(audit):
    lines, code = audit.verdict(None, "osv", OSV_UNREACHABLE)
    assert code == 1
    assert lines == ["could not reach the vulnerability database (OSV): no package was checked",
                     f"  pip-audit: {OSV_UNREACHABLE}"]


def test_no_report_for_another_reason_fails_too(audit):
    lines, code = audit.verdict(None, "pypi", "ValueError: requirement file is not hashed")
    assert code == 1
    assert lines[0] == "pip-audit gave no report: no package was checked"
    never_passes(lines)


def test_the_documented_report_of_a_vulnerable_flask_fails_with_a_line_per_vulnerability(audit):
    lines, code = audit.verdict(audit.assess(DOCUMENTED_REPORT), "pypi")
    assert code == 1
    assert lines == [
        "VULNERABLE flask 0.5: PYSEC-2019-179 (CVE-2019-1010083, GHSA-5wv5-4vpf-pj6m), fixed in 1.0",
        "VULNERABLE flask 0.5: PYSEC-2018-66 (CVE-2018-1000656, GHSA-562c-5r94-xh97), fixed in 0.12.3",
        "6 packages checked against PyPI's JSON API, 2 known vulnerabilities, 0 could not be checked",
    ]


def test_one_package_not_checked_fails_even_with_no_vulnerability(audit):
    report = {"dependencies": [*DOCUMENTED_REPORT[1:],
                               {"name": "trygg-private", "skip_reason": "Dependency not found on PyPI"}],
              "fixes": []}
    lines, code = audit.verdict(audit.assess(report), "osv")
    assert code == 1
    assert lines == ["NOT CHECKED trygg-private: Dependency not found on PyPI",
                     "5 packages checked against OSV, 0 known vulnerabilities, 1 could not be checked"]


def test_only_every_package_checked_and_none_vulnerable_passes(audit):
    report = {"dependencies": DOCUMENTED_REPORT[1:], "fixes": []}
    assert audit.verdict(audit.assess(report), "pypi") == (
        ["5 packages checked against PyPI's JSON API: no known vulnerabilities"], 0)


def test_something_that_is_not_a_report_is_refused(audit):
    with pytest.raises(ValueError):
        audit.assess({"fixes": []})


def test_the_script_exits_1_on_the_captured_report(audit, capsys):
    assert audit.main(["--report", str(OFFLINE_REPORT)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("could not reach the vulnerability database (PyPI's JSON API): no package was checked\n")
    never_passes(out.splitlines())
