"""A bad date in the config (`expires: 2027-13-01`) is reported with the other problems, each
with its line, instead of stopping the load at the YAML layer without a line."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.config import ConfigProblems, config_from_text, load_config
from compliance.errors import ConfigError

TEXT = """\
version: 1
organization:
  domicile: XX
exceptions:
  - model: a/b
    rules: [mau-cap-exceeded]
    reason: r
    approved_by: me
    expires: 2027-13-01
"""


def test_bad_date_is_reported_with_the_others_each_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "compliance.yaml"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(ConfigProblems) as info:
        load_config(path)
    problems = dict(info.value.problems)
    assert 3 in problems and "domicile" in problems[3]
    assert 9 in problems and "2027-13-01" in problems[9] and "expires" in problems[9]
    assert f"{path}:9:" in str(info.value)


def test_valid_dates_still_load_either_quoted_or_not() -> None:
    for value in ("2027-06-30", "'2027-06-30'"):
        config = config_from_text(TEXT.replace("XX", "DE").replace("2027-13-01", value))
        assert config.exceptions[0].expires.isoformat() == "2027-06-30"


def test_alone_it_is_one_error_with_its_line() -> None:
    with pytest.raises(ConfigError) as info:
        config_from_text(TEXT.replace("XX", "DE"), Path("c.yaml"))
    assert str(info.value).startswith("c.yaml:9: ") and "2027-13-01" in str(info.value)
