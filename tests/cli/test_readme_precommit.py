"""The README's pre-commit snippets work as written: the remote one names no rev that does not
exist and `pre-commit autoupdate --freeze` (as the README says) pins a commit sha that pre-commit
accepts; the `repo: local` one blocks a commit naming a denied model and passes an allowed one.
The README also says that editing only compliance.yaml runs nothing, and how to run everything."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from treepaths import REPO

BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN))
README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Pre-commit hook\n", 1)[1].split("\n## ", 1)[0]
BLOCKS = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", SECTION, flags=re.S)]

LITELLM = "model_list:\n  - model_name: chat\n    litellm_params:\n      model: hosted_vllm/{}\n"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home"),
    }
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True)


def _remote_block() -> dict:
    return next(b for b in BLOCKS if b["repos"][0]["repo"] != "local")


def _local_block() -> dict:
    return next(b for b in BLOCKS if b["repos"][0]["repo"] == "local")


def test_remote_snippet_names_no_tag_and_autoupdate_freeze_pins_a_sha(tmp_path: Path) -> None:
    assert PRE_COMMIT, "pre-commit is a test extra: `make test` installs it"
    block = _remote_block()
    assert block["repos"][0]["rev"] == ""  # a placeholder, not a tag that may not exist
    assert "pre-commit autoupdate --freeze" in SECTION
    # A stand-in for this repository: its hook manifest, committed, no tags (as today).
    hooks_repo = tmp_path / "hooks-repo"
    hooks_repo.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks_repo / ".pre-commit-hooks.yaml")
    for cmd in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "hooks"]):
        assert _run(hooks_repo, *cmd).returncode == 0
    head = _run(hooks_repo, "git", "rev-parse", "HEAD").stdout.strip()
    work = tmp_path / "work"
    work.mkdir()
    assert _run(work, "git", "init", "-q").returncode == 0
    block["repos"][0]["repo"] = str(hooks_repo)
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(block), encoding="utf-8")
    done = _run(work, str(PRE_COMMIT), "autoupdate", "--freeze")
    assert done.returncode == 0, done.stdout + done.stderr
    pinned = yaml.safe_load((work / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert pinned["repos"][0]["rev"] == head
    check = _run(work, str(PRE_COMMIT), "validate-config", ".pre-commit-config.yaml")
    assert check.returncode == 0, check.stdout + check.stderr


def test_local_snippet_blocks_a_denied_model_and_passes_an_allowed_one(tmp_path: Path) -> None:
    assert PRE_COMMIT, "pre-commit is a test extra: `make test` installs it"
    mirror = tmp_path / "mirror"
    for name, licence in (("nc-model", "cc-by-nc-4.0"), ("open-model", "apache-2.0")):
        (mirror / "acme" / name).mkdir(parents=True)
        (mirror / "acme" / name / "README.md").write_text(f"---\nlicense: {licence}\n---\n# M\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(_local_block()))
    (work / "compliance.yaml").write_text(
        f"version: 1\nsource: {{mirror: {mirror}}}\n"
        "organization: {domicile: US, monthly_active_users: 1000, use: commercial}\n"
        "exceptions:\n  - model: acme/nc-model\n    rules: [license-class-denied]\n"
        "    reason: r\n    approved_by: me\n    expires: 2099-01-01\n"
    )
    (work / "litellm_config.yaml").write_text(LITELLM.format("acme/nc-model"))
    assert _run(work, "git", "init", "-q").returncode == 0
    assert _run(work, "git", "add", ".").returncode == 0
    assert _run(work, str(PRE_COMMIT), "install").returncode == 0
    denied = _run(work, "git", "commit", "-m", "use a non-commercial model")
    output = denied.stdout + denied.stderr
    assert denied.returncode != 0, output
    assert "litellm_config.yaml:4" in output and "acme/nc-model" in output and "deny" in output
    # the policy file (whose exception names the model) is not read as a config naming models
    assert not re.search(r"^compliance\.yaml:\d+: acme/", output, flags=re.M), output
    (work / "litellm_config.yaml").write_text(LITELLM.format("acme/open-model"))
    assert _run(work, "git", "add", ".").returncode == 0
    allowed = _run(work, "git", "commit", "-m", "use an apache-2.0 model")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    every = _run(work, str(PRE_COMMIT), "run", "compliance", "--all-files")
    assert every.returncode == 0, every.stdout + every.stderr


def test_readme_says_a_policy_only_change_runs_nothing_and_how_to_run_all() -> None:
    assert "pre-commit run compliance --all-files" in SECTION
    assert re.search(r"changes only\s+`compliance.yaml`[^.]*runs nothing", SECTION)
    assert "v0.1.0" not in SECTION
