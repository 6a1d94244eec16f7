"""`make audit`: the locked dependencies against a vulnerability database, with a verdict that cannot
pass by accident.

    .venv/bin/python deploy/audit.py requirements.lock [--service pypi|osv] [--report FILE]

pip-audit alone says "No known vulnerabilities found" and exits 0 when it could check nothing: where
PyPI's per-release JSON cannot be had, it skips every package as "not found on PyPI"; where OSV cannot
be reached it stops with a traceback. So this script runs it for its JSON report and counts for itself:
packages checked, known vulnerabilities, packages that could not be checked. It exits 1 unless every
package was checked and none is vulnerable, with a line for each problem. `--report` reads a report
pip-audit already wrote instead of running it.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SERVICES = {"pypi": "PyPI's JSON API", "osv": "OSV"}
# What pip-audit's traceback holds when the service's host cannot be reached at all.
UNREACHABLE_HINTS = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "ConnectTimeout",
                     "ReadTimeout")


@dataclass
class Assessment:
    """What a pip-audit report says, one line of text per package or vulnerability."""

    checked: list[str] = field(default_factory=list)
    vulnerabilities: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)


def assess(report: object) -> Assessment:
    """Sort a pip-audit JSON report into checked packages, vulnerabilities and packages not checked.

    pip-audit 2 writes {"dependencies": [...], "fixes": [...]}; its README still shows the older bare
    list of dependencies, read the same way. A package counts as checked only when the report gives its
    `vulns` list (empty or not); one with a `skip_reason`, or with neither, was not checked."""
    dependencies = report.get("dependencies") if isinstance(report, dict) else report
    if not isinstance(dependencies, list):
        raise ValueError("not a pip-audit JSON report: no list of dependencies")
    result = Assessment()
    for dependency in dependencies:
        name = f"{dependency.get('name', '?')} {dependency.get('version', '')}".strip()
        vulns = dependency.get("vulns")
        if "skip_reason" in dependency or not isinstance(vulns, list):
            result.unchecked.append(f"{name}: {dependency.get('skip_reason') or 'pip-audit gave no result'}")
            continue
        result.checked.append(name)
        result.vulnerabilities.extend(f"{name}: {describe(vuln)}" for vuln in vulns)
    return result


def describe(vuln: dict) -> str:
    """One vulnerability as a line: its id, its aliases and the releases that fix it."""
    aliases = f" ({', '.join(vuln['aliases'])})" if vuln.get("aliases") else ""
    fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
    return f"{vuln.get('id', '?')}{aliases}, fixed in {fixes}"


def verdict(assessment: Assessment | None, service: str, error: str = "") -> tuple[list[str], int]:
    """The lines to print and the exit code. `assessment` is None when pip-audit gave no report;
    `error` is then the last line it printed."""
    database = SERVICES.get(service, service)
    if assessment is None or not assessment.checked:
        return nothing_checked(assessment, database, error), 1
    lines = [f"VULNERABLE {line}" for line in assessment.vulnerabilities]
    lines += [f"NOT CHECKED {line}" for line in assessment.unchecked]
    checked, found, unchecked = len(assessment.checked), len(assessment.vulnerabilities), len(assessment.unchecked)
    if not found and not unchecked:
        return lines + [f"{checked} packages checked against {database}: no known vulnerabilities"], 0
    return lines + [f"{checked} packages checked against {database}, {found} known vulnerabilities, "
                    f"{unchecked} could not be checked"], 1


def nothing_checked(assessment: Assessment | None, database: str, error: str) -> list[str]:
    """The verdict when not one package was checked: plainly that, and why, never a pass."""
    if assessment is None:
        first = "pip-audit gave no report"
        if any(hint in error for hint in UNREACHABLE_HINTS):
            first = f"could not reach the vulnerability database ({database})"
        return [f"{first}: no package was checked", f"  pip-audit: {error or 'no output'}"]
    if not assessment.unchecked:
        return ["pip-audit's report lists no package: no package was checked"]
    total = len(assessment.unchecked)
    lines = [f"could not reach the vulnerability database ({database}): no package was checked"]
    lines.append(f"  pip-audit skipped all {total} packages, e.g. {assessment.unchecked[0]}")
    lines.append(f"0 of {total} packages checked: their vulnerability status is unknown")
    return lines


def run_pip_audit(lock: Path, service: str) -> tuple[str | None, str]:
    """Run pip-audit on the lock (pinned and hashed, so without pip: nothing is installed); returns its
    JSON report, or None, and the last line it printed on stderr."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        done = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--requirement", str(lock), "--disable-pip",
             "--vulnerability-service", service, "--format", "json", "--progress-spinner", "off",
             "--output", str(out)],
            capture_output=True, text=True, timeout=900)
        report = out.read_text(encoding="utf-8") if out.exists() and out.stat().st_size else None
    last = next((line.strip() for line in reversed(done.stderr.splitlines()) if line.strip()), "")
    return report, last


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lock", type=Path, nargs="?", default=Path("requirements.lock"))
    parser.add_argument("--service", choices=sorted(SERVICES), default="pypi")
    parser.add_argument("--report", type=Path, help="a pip-audit JSON report to read instead of running it")
    args = parser.parse_args(argv)
    if args.report:
        text, error = args.report.read_text(encoding="utf-8"), ""
    else:
        text, error = run_pip_audit(args.lock, args.service)
    assessment = None
    if text is not None:
        try:
            assessment = assess(json.loads(text))
        except ValueError as exc:  # json.JSONDecodeError is one too
            error = f"unreadable report: {exc}"
    lines, code = verdict(assessment, args.service, error)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
