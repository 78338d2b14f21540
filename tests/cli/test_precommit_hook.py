"""The real pre-commit framework runs our hook in a temporary git repository.

The hook definition is taken from this repository's .pre-commit-hooks.yaml, as a user's
`.pre-commit-config.yaml` would take it; it runs as a `local` hook against the `compliance`
installed in the test environment, so the test needs no package download.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from treepaths import REPO

BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN))

LITELLM = """\
model_list:
  - model_name: chat
    litellm_params:
      model: hosted_vllm/{model}
      api_base: http://vllm:8000/v1
"""


def _mirror(root: Path) -> None:
    cards = {
        "acme/nc-model": "---\nlicense: cc-by-nc-4.0\npipeline_tag: text-generation\n---\n# NC\n",
        "acme/open-model": "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# Open\n",
    }
    for repo_id, card in cards.items():
        folder = root / repo_id
        folder.mkdir(parents=True)
        (folder / "README.md").write_text(card)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home"),
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_commit_naming_a_denied_model_fails_and_an_allowed_one_passes(tmp_path: Path) -> None:
    assert PRE_COMMIT, "pre-commit is a test extra: `make test` installs it"
    work = tmp_path / "work"
    work.mkdir()
    _mirror(tmp_path / "mirror")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    local_hook = {**hook, "language": "system"}
    (work / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [local_hook]}]})
    )
    (work / "compliance.yaml").write_text(
        f"version: 1\nsource: {{mirror: {tmp_path / 'mirror'}}}\n"
        "organization: {domicile: US, monthly_active_users: 1000, use: commercial}\n"
    )
    (work / "litellm_config.yaml").write_text(LITELLM.format(model="acme/nc-model"))
    assert _git(work, "init", "-q").returncode == 0
    installed = _git(work, "add", ".")
    assert installed.returncode == 0
    assert (
        subprocess.run(
            [str(PRE_COMMIT), "install"],
            cwd=work,
            capture_output=True,
            text=True,
            env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")},
        ).returncode
        == 0
    )

    denied = _git(work, "commit", "-m", "use a non-commercial model")
    assert denied.returncode != 0
    output = denied.stdout + denied.stderr
    assert "acme/nc-model" in output and "deny" in output
    assert "commercial-use-prohibited" in output
    assert "litellm_config.yaml:4" in output

    (work / "litellm_config.yaml").write_text(LITELLM.format(model="acme/open-model"))
    _git(work, "add", "litellm_config.yaml")
    allowed = _git(work, "commit", "-m", "use an apache-2.0 model")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "model licence compliance" in allowed.stdout + allowed.stderr
    assert _git(work, "log", "--oneline").stdout.count("\n") == 1
