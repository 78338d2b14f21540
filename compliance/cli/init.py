"""`compliance init`: write a commented compliance.yaml template."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import ExitCode, UsageError
from .verbosity import verbose_option

TEMPLATE = """\
# compliance.yaml: who you are and how you will use models. Checked by `compliance check`.
# Every key is described in the README, section "Configuration".
version: 1                      # the schema version; a newer one than the tool knows is an error

# Where models are read from: `hub` (the Hugging Face Hub, honouring HF_ENDPOINT / HF_TOKEN),
# or an offline mirror laid out <dir>/<org>/<name>/... :
#   source: {mirror: ./models-mirror}
source: hub

organization:
  # Facts about you. Each one left unset stays "not established", which is never a pass: a model
  # whose licence depends on it is denied (warned with `policy.unknown: warn`) until you set it.
  domicile:                     # decides territory exclusions: ISO 3166-1 alpha-2, e.g. DE, US
  monthly_active_users:         # decides user caps (Llama: 700M) for the product using the model
  annual_revenue_usd:           # decides revenue thresholds some licences set
  use: commercial               # decides the licence classes allowed: commercial|internal|research
  trains_on_outputs: true       # decides output-training terms; true until you confirm outputs
                                # never train or improve other models, then set false

policy:
  allow_classes: [permissive, weak-copyleft, open-rail, restricted]
  deny_origins: []              # publisher countries you do not accept, e.g. [CN]
  unknown: deny                 # deny | warn: what a fact that could not be established does
  min_confidence: 0.8           # a licence text matched less closely is read as an unknown text
  pack_seconds_per_model: 2      # a custom pack running longer on one model ends the run (exit 3)
  pack_seconds_per_run: 600      # ... or longer in all
  packs: []                     # your own .rego files or folders

# Waivers, each scoped to one model (and optionally one revision), with reason, approver, expiry:
exceptions: []
#  - model: meta-llama/Llama-3.1-8B-Instruct
#    revision: null
#    rules: [mau-cap-exceeded]
#    reason: signed agreement with Meta, ref 2026-114
#    approved_by: legal@example.com
#    expires: 2027-06-30
"""


@click.command("init")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), default="compliance.yaml")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@verbose_option
def command(path: Path, force: bool) -> int:
    """Write a commented compliance.yaml template to PATH (default ./compliance.yaml)."""
    if path.exists() and not force:
        raise UsageError(f"{path} exists; use --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TEMPLATE, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    click.echo(f"wrote {path}", err=True)
    return ExitCode.OK
