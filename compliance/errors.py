"""Exceptions and exit codes.

Every failure the tool can explain is a ComplianceError carrying its exit code; the CLI's one
error handler (cli/main.py) is the only place that turns exceptions into exit codes.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    VIOLATIONS = 1  # policy said deny (or warn with --fail-on warn)
    USAGE = 2  # bad flags, bad config, bad input file, bad policy
    RUNTIME = 3  # network, Hub, cache, or internal failure
    INTERRUPTED = 130
    TERMINATED = 143  # SIGTERM: 128 + 15, as shells report it


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwinds like Ctrl-C (the same cleanup paths), then exits 143."""


class ComplianceError(Exception):
    """Base of every error the tool reports as one clear line."""

    exit_code: ExitCode = ExitCode.RUNTIME

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"


class UsageError(ComplianceError):
    """The command line is wrong: a malformed model id, a bad flag value."""

    exit_code = ExitCode.USAGE


class ConfigError(ComplianceError):
    """compliance.yaml (or another config) is invalid."""

    exit_code = ExitCode.USAGE


class InputError(ComplianceError):
    """An input file cannot be read as what it claims to be (bad YAML, binary, too big...)."""

    exit_code = ExitCode.USAGE


class PolicyError(ComplianceError):
    """A Rego pack does not compile or does not evaluate."""

    exit_code = ExitCode.USAGE


class SourceError(ComplianceError):
    """A model could not be read from its source. `model` names it; `kind` says why."""

    exit_code = ExitCode.RUNTIME
    kind = "source-error"

    def __init__(self, model: str, message: str):
        super().__init__(f"{model}: {message}")
        self.model = model
        self.cause = message


class RepoNotFound(SourceError):
    kind = "not-found"


class RevisionNotFound(SourceError):
    kind = "revision-not-found"


class GatedRepo(SourceError):
    kind = "gated"


class NetworkError(SourceError):
    kind = "network"


class CacheError(ComplianceError):
    exit_code = ExitCode.RUNTIME
