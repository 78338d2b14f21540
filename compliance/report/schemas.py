"""The schema names of every machine output: `{"schema": "compliance.<kind>/v1", ...}`.

One place, so a version bump is one change; fields may be added under a name, never renamed.
Constants only: any stage may import this module without importing a renderer.
"""

from __future__ import annotations

CHECK = "compliance.check/v1"
AUDIT = "compliance.audit/v1"
SCAN = "compliance.scan/v1"
EXPLAIN = "compliance.explain/v1"
DETECT = "compliance.detect/v1"
REFS = "compliance.refs/v1"
CACHE = "compliance.cache/v1"
LOCK = "compliance.lock/v1"
POLICY_TEST = "compliance.policy-test/v1"
SHORTLIST = "compliance.shortlist/v1"
