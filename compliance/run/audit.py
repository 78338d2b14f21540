"""`run_audit(request) -> AuditReport`: the legal review of the models a check decides on.

The same subjects, decisions and exit code as `run_check`; the report adds, per model, the
facts with their evidence, the lineage, the obligations and the exceptions applied. The
registry's licence names and links are looked up here and handed to the report's view model,
so the report stage never reads the registry itself.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .check import CheckRequest, resolved_config, run_check

if TYPE_CHECKING:
    from ..policy.decision import CheckResult
    from ..report.audit import AuditReport, LicenseLookup
    from .progress import Progress


def run_audit(
    request: CheckRequest, *, fail_on: str = "deny", progress: Progress | None = None
) -> AuditReport:
    from dataclasses import replace

    from .. import __version__
    from ..report.audit import build_audit

    config = resolved_config(request)
    result = run_check(replace(request, config=config), progress)
    return build_audit(
        result,
        generated_at=generated_at(),
        tool_version=__version__,
        exit_code=result.exit_code(fail_on),
        config=str(config.path) if config.path else None,
        fail_on=fail_on,
        lookup=registry_lookup(governing_keys(result)),
    )


def generated_at() -> str:
    """Now, in UTC to the second; SOURCE_DATE_EPOCH when set (reproducible builds)."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        dt.datetime.fromtimestamp(int(fixed), dt.timezone.utc)
        if fixed and fixed.isdigit()
        else dt.datetime.now(dt.timezone.utc)
    )
    return when.replace(microsecond=0).isoformat()


def governing_keys(result: CheckResult) -> list[str]:
    """The registry keys a reader needs a name and link for: each governing licence and the
    use policy it incorporates, the model's own licence, and each ancestor's (for the BOMs)."""
    keys: list[str] = []
    for d in result.decisions:
        if d.facts is not None:
            terms = d.facts.effective_terms()
            keys.append(terms.license_key)
            if terms.acceptable_use_policy:
                keys.append(terms.acceptable_use_policy)
            keys.append(d.facts.license.key)
            stack = list(d.facts.lineage)
            while stack and len(keys) < 10_000:
                node = stack.pop()
                keys.append(node.license_key)
                stack.extend(node.parents)
    return list(dict.fromkeys(k for k in keys if k and k != "unknown"))


def registry_lookup(keys: Sequence[str]) -> LicenseLookup:
    """(name, url) of each registry record named; unknown keys are left out."""
    try:
        from ..facts.registry import load_registry

        registry = load_registry()
    except Exception:  # a broken registry must not stop the report; names are optional
        return {}
    out: dict[str, tuple[str | None, str | None]] = {}
    for key in keys:
        record = registry.get(key)
        if record is not None:
            out[key] = (record.name, record.url)
    return out
