"""Issue 14: hostile and broken repos, configs and packs, each run through the real CLI.

Every case builds its input in a temporary folder (a mirror, a scanned tree, a policy pack, or
repos served by tests/fakehub.py on 127.0.0.1), runs `compliance` in a subprocess, and prints:
the decision, the exit code, the wall time, the peak memory of the process tree, and PASS when
the case denies or errors cleanly (exit 1 with a deny, or exit 2/3, never a traceback) within
5 s and 500 MB, with any extra condition the case names (no leaked secret, no raw markup...).

    .venv/bin/python bench/adversarial.py [--case ID ...] [--timeout 60]

Exit 1 when any case fails. Nothing is fetched: an unset Hub endpoint points at a closed port.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import COMPLIANCE, CORPUS, TESTS, offline_env

sys.path.insert(0, str(TESTS))

LIMIT_SECONDS = 5.0
LIMIT_MB = 500.0
# A runaway case is killed at this resident size (the machine is shared). Not RLIMIT_AS:
# regopy's allocator (snmalloc) reserves address space up front and aborts under it.
KILL_AT_MB = 2048

ORG = (
    "organization: {domicile: DE, monthly_active_users: 1000, use: commercial, "
    "trains_on_outputs: false}\n"
)
APACHE = "---\nlicense: apache-2.0\npipeline_tag: text-generation\n---\n# Model\n\nWords.\n"
NC = "---\nlicense: cc-by-nc-4.0\npipeline_tag: text-generation\n---\n# Model\n\nWords.\n"
CANARY = "hf_CANARY_do_not_print_4242"


def nc_text() -> str:
    path = CORPUS / "cc-by-nc-4.0" / "LICENSE.txt"
    if path.is_file():
        return path.read_text(encoding="utf-8")
    raise SystemExit(f"needs the corpus text {path}")


# -- running one process --------------------------------------------------------------------


@dataclass
class Run:
    code: int | None  # None: killed at the timeout
    out: str
    err: str
    seconds: float
    peak_mb: float
    note: str = ""
    leftover: int = 0  # processes of its session still alive once it exited


def run_cli(
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    on_start: Callable[[subprocess.Popen[bytes]], None] | None = None,
) -> Run:
    """Run the CLI; wall time and peak RSS (wait4 of this child: it and its waited children)."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*COMPLIANCE, *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out_file,
            stderr=err_file,
            start_new_session=True,
        )
        if on_start is not None:
            threading.Thread(target=on_start, args=(proc,), daemon=True).start()
        code, peak_kb, note = _wait(proc, start, timeout)
        seconds = time.perf_counter() - start
        proc.returncode = code if code is not None else -9
        time.sleep(0.2)
        leftover = _session_members(proc.pid)  # children that outlived it (the sigterm case)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out_file.seek(0)
        err_file.seek(0)
        out = out_file.read().decode("utf-8", errors="replace")
        err = err_file.read().decode("utf-8", errors="replace")
    return Run(code, out, err, seconds, peak_kb / 1024, note, len(leftover))


def _wait(
    proc: subprocess.Popen[bytes], start: float, timeout: float
) -> tuple[int | None, int, str]:
    """(exit code or None when killed, peak RSS in KiB, note)."""
    polls = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            code = os.waitstatus_to_exitcode(status)
            return (128 - code if code < 0 else code), usage.ru_maxrss, ""
        polls += 1
        why = ""
        if time.perf_counter() - start > timeout:
            why = f"killed after {timeout:.0f} s"
        elif polls % 10 == 0 and _session_rss_mb(proc.pid) > KILL_AT_MB:
            why = f"killed above {KILL_AT_MB} MB resident"
        if why:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            _, _, usage = os.wait4(proc.pid, 0)
            return None, usage.ru_maxrss, why
        time.sleep(0.01)


def _session_rss_mb(sid: int) -> float:
    total = 0
    for pid in _session_members(sid):
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def decision_of(out: str) -> str:
    """The worst decision a report states (json, or text / markdown lines)."""
    decisions: list[str] = []
    with contextlib.suppress(ValueError, TypeError, KeyError):
        data = json.loads(out)
        decisions = [d["decision"] for d in data.get("decisions", [])]
        decisions += [m.get("decision") for m in data.get("models", []) if m.get("decision")]
    if not decisions:  # text: "org/name: deny (...)"; markdown / html: "Decision: deny"
        head = out[:500_000]
        decisions = re.findall(r"(?m)^\S+: (allow|warn|deny)\b", head)
        decisions += re.findall(r"(?i)decision\W{0,12}(allow|warn|deny)\b", head)
        decisions += re.findall(r'class="badge (allow|warn|deny)"', head)
        decisions += re.findall(r"(?m)^::\w+ [^\n]*?::\S+ \((allow|warn|deny)\)", head)
    for level in ("deny", "warn", "allow"):
        if level in decisions:
            return level
    return "-"


# -- cases ----------------------------------------------------------------------------------


@dataclass
class Ctx:
    tmp: Path
    env: dict[str, str]
    timeout: float
    extra: dict[str, str] = field(default_factory=dict)

    def mirror_repo(
        self, model: str, card: str, files: dict[str, bytes | str] | None = None
    ) -> Path:
        folder = self.tmp / "mirror" / model
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "README.md").write_text(card, encoding="utf-8")
        for name, content in (files or {}).items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                path.write_bytes(content)
        return folder

    def config(self, extra: str = "", source: str = "{mirror: mirror}") -> Path:
        path = self.tmp / "compliance.yaml"
        path.write_text(f"version: 1\nsource: {source}\n{ORG}{extra}", encoding="utf-8")
        return path

    def check(self, *models: str, fmt: str = "json", extra: list[str] | None = None) -> Run:
        args = ["check", *[a for m in models for a in ("--model", m)], "--format", fmt]
        return self.run([*args, *(extra or [])])

    def run(self, args: list[str], **kw: object) -> Run:
        return run_cli(args, cwd=self.tmp, env=self.env, timeout=self.timeout, **kw)  # type: ignore[arg-type]


@contextlib.contextmanager
def fake_hub(ctx: Ctx, repos: Mapping[str, Mapping[str, str | bytes]]) -> Iterator[object]:
    """Repos served over HTTP on 127.0.0.1; the child reaches them through HF_ENDPOINT."""
    from fakehub import FakeHub

    root = ctx.tmp / "hub"
    for repo_id, files in repos.items():
        folder = root / repo_id
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            (folder / name).write_bytes(data)
    hub = FakeHub(root).start()
    ctx.env["HF_ENDPOINT"] = hub.url
    ctx.env["HF_HOME"] = str(ctx.tmp / "hf-home")
    try:
        yield hub
    finally:
        hub.stop()


@dataclass(frozen=True)
class Case:
    ident: str
    item: str
    title: str
    # -> (run, the case's own condition holds, detail, the exit is the right one or None: the
    #    default, a deny (exit 1) or a clean error (exit 2 / 3))
    build: Callable[[Ctx], tuple[Run, bool, str, bool | None]]


CASES: list[Case] = []
# What a case function returns: a run (default verdict), or (run, own condition, detail), or
# (run, own condition, detail, whether the exit is the right one).
Outcome = Run | tuple[Run, bool, str] | tuple[Run, bool, str, bool]


def case(ident: str, item: str, title: str) -> Callable[[Callable[[Ctx], Outcome]], None]:
    def register(fn: Callable[[Ctx], Outcome]) -> None:
        def build(ctx: Ctx) -> tuple[Run, bool, str, bool | None]:
            got = fn(ctx)
            if isinstance(got, Run):
                return got, True, "", None
            if len(got) == 3:
                return got[0], got[1], got[2], None
            return got[0], got[1], got[2], got[3]

        CASES.append(Case(ident, item, title, build))

    return register


# item 1: licence files that were not read
@case("1-utf16", "1", "apache card + UTF-16 (BOM) CC-BY-NC LICENSE")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"LICENSE": nc_text().encode("utf-16")})
    ctx.config()
    return ctx.check("acme/m")


@case("1-utf32", "1", "apache card + UTF-32 (BOM) CC-BY-NC LICENSE")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"LICENSE": nc_text().encode("utf-32")})
    ctx.config()
    return ctx.check("acme/m")


@case("1-nul", "1", "apache card + LICENSE starting with a NUL byte")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"LICENSE": b"\x00" + nc_text().encode()})
    ctx.config()
    return ctx.check("acme/m")


@case("1-padded", "1", "apache card + CC-BY-NC LICENSE padded past the 1 MB cap")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"LICENSE": nc_text() + " " * (1024 * 1024)})
    ctx.config()
    return ctx.check("acme/m")


@case("1-empty", "1", "apache card + empty LICENSE")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"LICENSE": b""})
    ctx.config()
    return ctx.check("acme/m")


@case("1-short-nc", "1", "apache card + 48-word non-commercial notice")
def _(ctx: Ctx) -> Outcome:
    notice = (
        "NOTICE: these weights are provided for non-commercial research use only. You may not "
        "use them, or any output of them, in a commercial product or service, or to provide a "
        "service to third parties, without a separate written licence agreement from the "
        "authors. All other rights are reserved by the authors.\n"
    )
    ctx.mirror_repo("acme/m", APACHE, {"LICENSE": notice})
    ctx.config()
    return ctx.check("acme/m")


@case("1-symlink", "1", "apache card + LICENSE symlink (to a CC-BY-NC text outside)")
def _(ctx: Ctx) -> Outcome:
    folder = ctx.mirror_repo("acme/m", APACHE)
    outside = ctx.tmp / "outside-license.txt"
    outside.write_text(nc_text(), encoding="utf-8")
    os.symlink(outside, folder / "LICENSE")
    ctx.config()
    return ctx.check("acme/m")


@case("1-200-oversized", "1", "apache card + 200 oversized licence files (sparse)")
def _(ctx: Ctx) -> Outcome:
    folder = ctx.mirror_repo("acme/m", APACHE)
    for n in range(200):
        with open(folder / f"LICENSE-{n:03d}.txt", "wb") as handle:
            handle.truncate(1024 * 1024 + 1)
    ctx.config()
    return ctx.check("acme/m")


@case("1-copying", "1", "apache card + COPYING with the CC-BY-NC text")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"COPYING": nc_text()})
    ctx.config()
    return ctx.check("acme/m")


@case("1-licenses-dir", "1", "apache card + LICENSES/CC-BY-NC-4.0.txt")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"LICENSES/CC-BY-NC-4.0.txt": nc_text()})
    ctx.config()
    return ctx.check("acme/m")


@case("1-pasted-value", "1", "CC-BY-NC text pasted as `license:` + apache LICENSE pointer")
def _(ctx: Ctx) -> Outcome:
    body = "\n".join("  " + line for line in nc_text().splitlines())
    card = f"---\nlicense: |\n{body}\n---\n# Model\n"
    ctx.mirror_repo("acme/m", card, {"LICENSE": "Licensed under the Apache License 2.0.\n"})
    ctx.config()
    return ctx.check("acme/m")


# item 2: broken front matter
@case("2-broken-yaml", "2", "unclosed `tags: [` drops base_model (NC base); body says apache")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/nc-base", NC)
    card = (
        "---\nlicense: apache-2.0\ntags: [chat,\nbase_model: acme/nc-base\n---\n# Model\n\n"
        "license: apache-2.0\n"
    )
    ctx.mirror_repo("acme/m", card)
    ctx.config()
    return ctx.check("acme/m")


# item 3: inherited modality
@case("3-vision-finetune", "3", "text-tagged fine-tune of Llama 3.2 Vision (EU org)")
def _(ctx: Ctx) -> Outcome:
    import shutil

    base = "meta-llama/Llama-3.2-11B-Vision-Instruct"
    folder = ctx.tmp / "mirror" / base
    shutil.copytree(TESTS / "fixtures" / "hub" / base, folder)
    (folder / "_hub.yaml").unlink()
    card = (folder / "README.md").read_text()
    kept = [ln for ln in card.splitlines() if "extra_gated" not in ln and "Test fixture" not in ln]
    (folder / "README.md").write_text("\n".join(kept) + "\n")
    ctx.mirror_repo(
        "acme/ft",
        f"---\nlicense: llama3.2\nbase_model: {base}\npipeline_tag: text-generation\n"
        "tags: [text-generation]\n---\n# Chat fine-tune\n",
    )
    ctx.config()
    return ctx.check("acme/ft")


# item 4: config files that deploy one model and name another (refs)
def _refs_case(ctx: Ctx, name: str, text: str) -> Run:
    ctx.mirror_repo("acme/ok", APACHE)
    ctx.mirror_repo("acme/nc", NC)
    tree = ctx.tmp / "deploy"
    tree.mkdir()
    (tree / name).write_text(text, encoding="utf-8")
    ctx.config()
    return ctx.run(["check", "deploy", "--format", "json"])


@case("4-dup-key-yaml", "4", "LiteLLM YAML with `model:` twice (deployer takes the NC one)")
def _(ctx: Ctx) -> Outcome:
    text = (
        "model_list:\n  - model_name: chat\n    litellm_params:\n"
        "      model: huggingface/acme/ok\n      model: huggingface/acme/nc\n"
    )
    return _refs_case(ctx, "litellm.yaml", text)


@case("4-dup-key-json", "4", "JSON config with `model` twice (the last is NC)")
def _(ctx: Ctx) -> Outcome:
    return _refs_case(ctx, "config.json", '{"model": "acme/ok", "model": "acme/nc"}\n')


@case("4-merge-key", "4", "YAML merge keys `<<: [*defaults, {model: NC}]`")
def _(ctx: Ctx) -> Outcome:
    text = (
        "defaults: &defaults\n  model: huggingface/acme/ok\n"
        "model_list:\n  - model_name: chat\n    litellm_params:\n"
        "      <<: [*defaults, {model: huggingface/acme/nc}]\n"
    )
    return _refs_case(ctx, "litellm.yaml", text)


# item 5: cached gated repo, then no / a wrong token
@case("5-gated-cache", "5", "gated repo cached with a granted token, re-checked without one")
def _(ctx: Ctx) -> Outcome:
    sha = "1" * 40
    repos = {
        "acme/gated": {
            "README.md": APACHE,
            "_hub.yaml": f"sha: {sha}\ngated: manual\ngranted_tokens: [hf_granted]\n",
        }
    }
    with fake_hub(ctx, repos) as hub:
        ctx.env["COMPLIANCE_CACHE_DIR"] = str(ctx.tmp / "cache")
        ctx.config(source="hub")
        ctx.env["HF_TOKEN"] = "hf_granted"
        first = ctx.check(f"acme/gated@{sha}")
        ctx.env.pop("HF_TOKEN")
        hub.requests.clear()  # type: ignore[attr-defined]
        second = ctx.check(f"acme/gated@{sha}")
        asked = len(hub.requests)  # type: ignore[attr-defined]
    detail = f"first exit {first.code}; {asked} request(s) on the re-check"
    return second, True, detail


# item 6: custom pack reads the environment
@case("6-pack-env", "6", "custom pack prints opa.runtime().env.HF_TOKEN (canary)")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/nc", NC)
    (ctx.tmp / "leak.rego").write_text(
        "package compliance.leak\n\nimport rego.v1\n\n"
        'deny contains {"code": "leak", "msg": msg} if {\n'
        '\tmsg := concat("", ["token=", opa.runtime().env.HF_TOKEN])\n}\n'
    )
    ctx.config("policy: {packs: [leak.rego]}\n")
    ctx.env["HF_TOKEN"] = CANARY
    results = [ctx.check("acme/nc", fmt=f) for f in ("text", "sarif")]
    results.append(ctx.run(["audit", "--model", "acme/nc", "--format", "html"]))
    leaked = any(CANARY in r.out or CANARY in r.err for r in results)
    worst = max(results, key=lambda r: r.seconds)
    run = Run(
        results[0].code,
        results[0].out,
        results[0].err,
        worst.seconds,
        max(r.peak_mb for r in results),
    )
    return run, not leaked, "canary leaked" if leaked else "no canary in text/sarif/html"


# item 7: custom pack redefines a built-in package
@case("7-pack-override", "7", "custom pack `package compliance.license` allows every class")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/nc", NC)
    ctx.config()
    baseline = ctx.check("acme/nc")
    (ctx.tmp / "override.rego").write_text(
        "package compliance.license\n\nimport rego.v1\n\nclass_allowed(_, _) if true\n"
    )
    ctx.config("policy: {packs: [override.rego]}\n")
    run = ctx.check("acme/nc")
    lost = sorted(set(_codes(baseline)) - set(_codes(run)))
    ok = run.code == 2 or not lost
    return run, ok, f"findings switched off: {', '.join(lost)}" if lost else "no finding lost"


def _codes(run: Run) -> list[str]:
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return [c for d in json.loads(run.out)["decisions"] for c in d["codes"]]
    return []


# item 8: pack time budget
@case("8-pack-budget", "8", "custom pack with an expensive comprehension")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/ok", APACHE)
    (ctx.tmp / "slow.rego").write_text(
        "package compliance.slow\n\nimport rego.v1\n\n"
        'deny contains {"code": "slow", "msg": "never"} if {\n'
        "\tn := count([1 | some i in numbers.range(1, 4000); some j in numbers.range(1, 4000);"
        " (i * j) % 7 == 3])\n\tn < 0\n}\n"
    )
    ctx.config("policy: {packs: [slow.rego]}\n")
    return ctx.check("acme/ok")


# item 9: terminal control sequences
@case("9-terminal", "9", "`license:` with CSI/OSC sequences, text output")
def _(ctx: Ctx) -> Outcome:
    evil = "evil\\x1b[2J\\x1b[H\\x1b]0;owned\\x07acme/m: allow\\x1b[8m"
    ctx.mirror_repo("acme/m", f'---\nlicense: "{evil}"\n---\n# M\n')
    ctx.config()
    run = ctx.check("acme/m", fmt="text")
    raw = re.search(r"[\x00-\x08\x0b-\x1f\x7f\x9b]", run.out + run.err)
    return run, raw is None, "raw control characters in output" if raw else "none raw"


# item 10: GitHub workflow commands
@case("10-github", "10", "`license:` starting lines with ::add-mask:: / ::error (github, text)")
def _(ctx: Ctx) -> Outcome:
    value = "x\\n::add-mask::INJECTED\\n::error title=INJECTED::pwned"
    ctx.mirror_repo("acme/m", f'---\nlicense: "{value}"\nlicense_name: "{value}"\n---\n# M\n')
    ctx.config()
    runs = [ctx.check("acme/m", fmt=f) for f in ("github", "text")]
    bad = [
        line
        for r in runs
        for line in (r.out + r.err).splitlines()
        if line.startswith(("::add-mask::", "::error title=INJECTED"))
    ]
    return runs[0], not bad, f"{len(bad)} injected workflow command line(s)"


# item 11: Markdown audit
@case("11-markdown", "11", "`license:` with ``` <script> <!-- | in a Markdown audit")
def _(ctx: Ctx) -> Outcome:
    value = "```</code><script>alert(1)</script><!-- | x | <img src=x onerror=alert(1)>"
    ctx.mirror_repo("acme/m", f'---\nlicense: "{value}"\nlicense_name: "{value}"\n---\n# M\n')
    ctx.config()
    run = ctx.run(["audit", "--model", "acme/m", "--format", "markdown"])
    raw = [s for s in ("<script>", "<!--", "<img src=x onerror") if s in run.out]
    return run, not raw, f"raw: {', '.join(raw)}" if raw else "escaped"


# item 12: HTML audit links
@case("12-html-link", "12", "license_link: javascript:... in the HTML audit")
def _(ctx: Ctx) -> Outcome:
    card = '---\nlicense: other\nlicense_link: "javascript:alert(document.domain)"\n---\n# M\n'
    ctx.mirror_repo("acme/m", card)
    ctx.config()
    run = ctx.run(["audit", "--model", "acme/m", "--format", "html"])
    js_link = re.search(r"href\s*=\s*[\"']?\s*javascript:", run.out, re.I) is not None
    csp = "Content-Security-Policy" in run.out
    ok = not js_link and csp
    return run, ok, f"javascript link: {js_link}; CSP meta: {csp}"


# item 13: symlinks and FIFOs in the scanned tree
@case("13-devzero-fifo", "13", "scanned tree with a /dev/zero symlink and a FIFO (+ an NC model)")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/nc", NC)
    tree = ctx.tmp / "deploy"
    tree.mkdir()
    (tree / "litellm.yaml").write_text(
        "model_list:\n  - model_name: m\n    litellm_params:\n      model: huggingface/acme/nc\n"
    )
    os.symlink("/dev/zero", tree / "zero.yaml")
    os.symlink("/dev/zero", tree / "config.json")
    os.mkfifo(tree / "pipe.yaml")
    ctx.config()
    return ctx.run(["check", "deploy", "--format", "json"])


@case("13-mirror-devzero", "13", "mirror repo whose LICENSE links to /dev/zero")
def _(ctx: Ctx) -> Outcome:
    folder = ctx.mirror_repo("acme/m", APACHE)
    os.symlink("/dev/zero", folder / "LICENSE")
    os.mkfifo(folder / "NOTICE")
    ctx.config()
    return ctx.check("acme/m")


# item 14: super-linear parsers and unbounded counts
@case("14-fences", "14", "NC card body of 400 KB unclosed code fences")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", NC + "```x\n" * 80_000)
    ctx.config()
    return ctx.check("acme/m")


@case("14-copyright-lines", "14", "LICENSE of 1 MB of `(c) 2024` lines")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE, {"LICENSE": "(c) 2024\n" * (1024 * 1024 // 9 - 10)})
    ctx.config()
    return ctx.check("acme/m")


@case("14-10k-bases", "14", "10,000-entry base_model list on the fake Hub")
def _(ctx: Ctx) -> Outcome:
    bases = "\n".join(f"  - nobody/base-{n}" for n in range(10_000))
    card = f"---\nlicense: apache-2.0\nbase_model:\n{bases}\n---\n# Soup\n"
    with fake_hub(ctx, {"acme/soup": {"README.md": card}}) as hub:
        ctx.env["COMPLIANCE_CACHE_DIR"] = str(ctx.tmp / "cache")
        ctx.config(source="hub")
        run = ctx.check("acme/soup")
        asked = len(hub.requests)  # type: ignore[attr-defined]
    return run, asked <= 100, f"{asked} Hub requests"


# item 15: SIGTERM during a large cold scan
@case("15-sigterm", "15", "SIGTERM 1.5 s into a cold scan of 300 slow fake-Hub repos")
def _(ctx: Ctx) -> Outcome:
    repos = {f"acme/m{n:03d}": {"README.md": APACHE} for n in range(300)}
    with fake_hub(ctx, repos) as hub:
        hub.latency = 0.05  # type: ignore[attr-defined]
        ctx.env["COMPLIANCE_CACHE_DIR"] = str(ctx.tmp / "cache")
        ctx.config(source="hub")

        def terminate(proc: subprocess.Popen[bytes]) -> None:
            time.sleep(1.5)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)

        run = ctx.run(["scan", *repos, "--format", "json"], on_start=terminate)
    detail = f"exit {run.code} (143 expected); {run.leftover} process(es) outlived it"
    return run, run.leftover == 0, detail, run.code == 143


def _session_members(sid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid and fields[0] != "Z":  # field 6: session id
                    out.append(int(entry.name))
    return out


# item 16: cache clear and symlinks
@case("16-cache-clear", "16", "`cache clear` with symlinks out of the cache")
def _(ctx: Ctx) -> Outcome:
    cache = ctx.tmp / "cache"
    outside = ctx.tmp / "precious"
    (outside / "name").mkdir(parents=True)
    victim = outside / "name" / f"{'a' * 40}.json"
    victim.write_text("{}")
    victim2 = outside / f"{'b' * 64}.json"
    victim2.write_text("{}")
    (cache / "snapshots").mkdir(parents=True)
    os.symlink(outside, cache / "snapshots" / "evil")
    (cache / "facts").mkdir()
    os.symlink(outside, cache / "facts" / "bb")
    ctx.env["COMPLIANCE_CACHE_DIR"] = str(cache)
    run = ctx.run(["cache", "clear"])
    survived = victim.is_file() and victim2.is_file()
    # A clean exit is the right answer here: PASS needs the files outside to survive.
    return (
        run,
        survived,
        "files outside survived" if survived else "deleted files outside!",
        (run.code in (0, 2, 3)),
    )


# item 17
@case("17-pasted-body", "17", "apache card with the full CC-BY-NC text pasted in its body")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/m", APACHE + "\n## License\n\n" + nc_text())
    ctx.config()
    return ctx.check("acme/m")


@case("17-rego-error", "17", "custom pack with a Rego evaluation error (exit 3 expected)")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/ok", APACHE)
    (ctx.tmp / "conflict.rego").write_text(
        "package compliance.conflict\n\nimport rego.v1\n\n"
        "level := 1 if true\n\nlevel := 2 if true\n\n"
        'deny contains {"code": "x", "msg": "x"} if level > 5\n'
    )
    ctx.config("policy: {packs: [conflict.rego]}\n")
    run = ctx.check("acme/ok")
    return run, True, f"exit {run.code} (3 expected)", run.code == 3


@case("17-today", "17", "hidden --today revives an expired exception")
def _(ctx: Ctx) -> Outcome:
    ctx.mirror_repo("acme/nc", NC)
    ctx.config(
        "exceptions:\n  - model: acme/nc\n"
        "    rules: [commercial-use-prohibited, license-class-denied]\n"
        "    reason: bench\n    approved_by: legal@example.com\n    expires: 2025-01-01\n"
    )
    run = ctx.check("acme/nc", fmt="text", extra=["--today", "2024-06-01"])
    said = "--today" in run.out + run.err
    ok = run.code in (2, 3) or (run.code == 1 and decision_of(run.out) == "deny") or said
    return run, True, "the date override is printed" if said else f"exit {run.code}", ok


# -- main -------------------------------------------------------------------------------------


def verdict(run: Run, extra_ok: bool, right_exit: bool | None) -> tuple[str, str]:
    decision = decision_of(run.out)
    traceback = "Traceback (most recent call last)" in run.err
    clean = run.code in (2, 3) or (run.code == 1 and decision == "deny")
    if right_exit is not None:
        clean = right_exit
    fast = run.seconds <= LIMIT_SECONDS and run.code is not None
    small = run.peak_mb <= LIMIT_MB
    ok = clean and fast and small and extra_ok and not traceback
    return decision, "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", help="run only these case ids (prefix match)")
    parser.add_argument("--timeout", type=float, default=60.0, help="kill a case after this")
    opts = parser.parse_args()
    chosen = [c for c in CASES if not opts.case or any(c.ident.startswith(p) for p in opts.case)]
    header = (
        f"{'case':<20} {'item':>4} {'decision':>8} {'exit':>4} {'seconds':>8} {'peak MB':>8}"
        "  result  detail"
    )
    print(header)
    print("-" * len(header))
    failed = 0
    for c in chosen:
        with tempfile.TemporaryDirectory(prefix=f"adv-{c.ident}-") as tmp:
            env = offline_env(COMPLIANCE_CACHE_DIR=str(Path(tmp) / "cache"))
            ctx = Ctx(Path(tmp), env, opts.timeout)
            try:
                run, extra_ok, detail, right_exit = c.build(ctx)
            except Exception as exc:  # a case that cannot be built is a bench bug: say so
                print(
                    f"{c.ident:<20} {c.item:>4} {'-':>8} {'-':>4} {'-':>8} {'-':>8}  "
                    f"ERROR   {exc!r}"
                )
                failed += 1
                continue
        decision, result = verdict(run, extra_ok, right_exit)
        failed += result != "PASS"
        note = "; ".join(x for x in (run.note, detail) if x)
        if "Traceback (most recent call last)" in run.err:
            note = "; ".join(x for x in (note, "traceback on stderr") if x)
        code = "-" if run.code is None else str(run.code)
        print(
            f"{c.ident:<20} {c.item:>4} {decision:>8} {code:>4} {run.seconds:8.2f} "
            f"{run.peak_mb:8.0f}  {result:<6}  {note}",
            flush=True,
        )
    print(
        f"\n{len(chosen) - failed}/{len(chosen)} cases pass (deny or clean error, <= "
        f"{LIMIT_SECONDS:.0f} s, <= {LIMIT_MB:.0f} MB, and the case's own condition)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
