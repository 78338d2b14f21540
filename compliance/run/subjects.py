"""What a run decides on: refs in config files, `--model` and `--models-from` -> Subjects.

Hub models are scanned (compliance.run.scan) and keep every place that names them. A hosted
API model gets closed-API facts (nothing is fetched; its publisher and country come from the
tables below). A local GGUF or safetensors file that exists is read for the licence its header
states (compliance.run.localfile), with the Hub repos it names as lineage; a file that cannot be
read is that subject's source error. Any other reference (a local path, a missing model file,
an unresolvable name) gets a `license-unknown` finding at its line: it is never skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from ..facts.model import Finding, LicenseInfo, ModelFacts, Publisher
from ..modelid import ModelId, parse_model_id
from ..policy.decision import Location, Subject

if TYPE_CHECKING:
    from ..config import Config
    from .progress import Progress

# -- closed-API facts ---------------------------------------------------------------------------
# Providers (a LiteLLM prefix, an OpenRouter org) that serve only their own publisher's models.
# Platforms that host many publishers' models (bedrock, vertex_ai, azure, groq, fireworks_ai...)
# are deliberately absent: there only the model's name says who published it, and a name that
# says nothing leaves the country unknown (which a `deny_origins` policy treats as unknown).
PROVIDER_PUBLISHER = {
    "openai": "OpenAI",
    "text-completion-openai": "OpenAI",
    "anthropic": "Anthropic",
    "gemini": "Google",
    "google": "Google",
    "palm": "Google",
    "cohere": "Cohere",
    "cohere_chat": "Cohere",
    "mistral": "Mistral AI",
    "mistralai": "Mistral AI",
    "codestral": "Mistral AI",
    "text-completion-codestral": "Mistral AI",
    "xai": "xAI",
    "x-ai": "xAI",
    "perplexity": "Perplexity",
    "deepseek": "DeepSeek",
    "dashscope": "Alibaba Cloud",
    "qwen": "Alibaba Cloud",
    "moonshot": "Moonshot AI",
    "moonshotai": "Moonshot AI",
    "volcengine": "ByteDance",
    "ai21": "AI21 Labs",
    "ai21_chat": "AI21 Labs",
    "aleph_alpha": "Aleph Alpha",
    "voyage": "Voyage AI",
    "amazon": "Amazon",
    "inflection": "Inflection AI",
}
# The publisher a hosted model's own name points to (after any provider and region prefix).
_NAME_PUBLISHER = (
    (
        re.compile(
            r"^(?:gpt-|chatgpt|o[1-9](?:$|-)|text-embedding-|text-davinci|davinci|babbage|curie"
            r"|whisper|tts-|dall-e|omni-moderation|text-moderation|codex-|computer-use)"
        ),
        "OpenAI",
    ),
    (re.compile(r"^(?:claude|anthropic\.)"), "Anthropic"),
    (
        re.compile(
            r"^(?:gemini|models/|text-bison|chat-bison|textembedding-gecko"
            r"|text-multilingual-embedding|embedding-00|imagen|veo)"
        ),
        "Google",
    ),
    (re.compile(r"^(?:command(?:$|-)|embed-(?:english|multilingual)|rerank-|cohere\.)"), "Cohere"),
    (re.compile(r"^grok"), "xAI"),
    (re.compile(r"^sonar"), "Perplexity"),
    (re.compile(r"^(?:titan|nova-|amazon\.)"), "Amazon"),
    (re.compile(r"^(?:mistral|codestral|pixtral|ministral|magistral|devstral)"), "Mistral AI"),
    (re.compile(r"^meta\."), "Meta"),
    (re.compile(r"^(?:ai21\.|jamba|j2-)"), "AI21 Labs"),
    (re.compile(r"^voyage-"), "Voyage AI"),
    (re.compile(r"^deepseek"), "DeepSeek"),
    (re.compile(r"^qwen"), "Alibaba Cloud"),
    (re.compile(r"^(?:moonshot|kimi)"), "Moonshot AI"),
)
PUBLISHER_COUNTRY = {
    "OpenAI": "US",
    "Anthropic": "US",
    "Google": "US",
    "Cohere": "CA",
    "Mistral AI": "FR",
    "xAI": "US",
    "Perplexity": "US",
    "Amazon": "US",
    "Meta": "US",
    "AI21 Labs": "IL",
    "Voyage AI": "US",
    "Inflection AI": "US",
    "Aleph Alpha": "DE",
    "DeepSeek": "CN",
    "Alibaba Cloud": "CN",
    "Moonshot AI": "CN",
    "ByteDance": "CN",
}
_REGION_PREFIX = re.compile(r"^(?:us|eu|apac|global|us-gov)\.")


def closed_api_publisher(model: str) -> tuple[str | None, str | None]:
    """(provider prefix, publisher) of a hosted model reference such as `openai/gpt-4o`,
    `openrouter/anthropic/claude-3.5-sonnet`, `bedrock/us.deepseek.r1-v1:0` or `gpt-4o`."""
    parts = model.strip().lower().split("/")
    if parts[0] == "openrouter" and len(parts) > 1:
        parts = parts[1:]
    provider = parts[0] if len(parts) > 1 else None
    publisher = PROVIDER_PUBLISHER.get(provider) if provider else None
    if publisher is None:
        name = _REGION_PREFIX.sub("", "/".join(parts[1:] if provider else parts))
        publisher = next((who for pat, who in _NAME_PUBLISHER if pat.match(name)), None)
    return provider, publisher


def closed_api_facts(model: str) -> ModelFacts:
    """Facts for a hosted proprietary model: nothing is fetched; the class is `proprietary`,
    the publisher and its country come from the provider or the model's name (else unknown)."""
    provider, publisher = closed_api_publisher(model)
    who = publisher or "its provider"
    return ModelFacts(
        model=model,
        revision=None,
        source="closed-api",
        license=LicenseInfo(
            key="proprietary", license_class="proprietary", source="closed-api", confidence=1.0
        ),
        publisher=Publisher(
            org=provider, name=publisher, country=PUBLISHER_COUNTRY.get(publisher or "")
        ),
        commercial_use="conditional",
        notes=(f"a hosted API: {who}'s terms of service govern use; not read by this tool",),
    )


def closed_api_model(raw: str) -> str | None:
    """The hosted-API model a command-line name means (`openai/gpt-4o`, `gpt-4o`), else None:
    such a name is judged as in a config file, never looked up on the Hub."""
    from ..refs.normalize import classify

    found = classify(raw, "cli")
    return found.model if found is not None and found.kind == "closed-api" else None


def closed_api_subject(model: str, location: Location | None = None) -> Subject:
    locations = (location,) if location is not None else ()
    return Subject(model, facts=closed_api_facts(model), locations=locations, kind="closed-api")


# -- gathering ----------------------------------------------------------------------------------
_UNRESOLVED_WHAT = {
    "local-path": "a local path",
    "gguf-file": "a GGUF file",
    "ollama-tag": "an Ollama tag without a known Hub base",
}


def gather(
    paths: Sequence[str],
    models: Sequence[str],
    models_from: Path | None,
    config: Config,
    *,
    progress: Progress | None = None,
    exclude: Sequence[Path] = (),
) -> list[Subject]:
    """Subjects for a check: scanned models (with where they are named) and unresolvable refs.
    The config in use and `exclude` (the lock) are never read as references."""
    wanted, others = collect(paths, models, models_from, config, exclude=exclude)
    subjects = scan_subjects(wanted, config, progress=progress)
    subjects.extend(others)
    return subjects


def collect(
    paths: Sequence[str],
    models: Sequence[str],
    models_from: Path | None,
    config: Config,
    *,
    exclude: Sequence[Path] = (),
) -> tuple[list[tuple[ModelId, list[Location]]], list[Subject]]:
    """What `gather` decides on, before any Hub model is scanned: (the Hub models to scan, in
    order, with where each is named; the other subjects, already complete)."""
    wanted: dict[str, tuple[ModelId, list[Location]]] = {}
    others: dict[tuple[str, str], Subject] = {}
    lineage_scanner: list[Any] = []  # one Scanner for the local files' lineage, made on demand

    def load(model: ModelId) -> ModelFacts:
        if not lineage_scanner:
            from . import scan

            source = scan.make_source(config.source)
            lineage_scanner.append(
                scan.Scanner(
                    source,
                    lineage=False,
                    min_confidence=config.policy.min_confidence,
                    links=scan.link_settings(config.source, source),
                )
            )
        facts: ModelFacts = lineage_scanner[0].facts_for(model)
        return facts

    def want(mid: ModelId, location: Location | None) -> None:
        entry = wanted.setdefault(str(mid), (mid, []))
        if location is not None and location not in entry[1]:
            entry[1].append(location)

    def closed(raw: str, location: Location | None) -> bool:
        model = closed_api_model(raw)
        if model is None:
            return False
        key = ("closed-api", model)
        previous = others.get(key)
        if previous is None:
            others[key] = closed_api_subject(model, location)
        elif location is not None:
            others[key] = replace(previous, locations=(*previous.locations, location))
        return True

    for raw in models:
        if not closed(raw, None):
            want(parse_model_id(raw), None)
    if models_from is not None:
        list_name = str(models_from)
        for number, raw in model_lines(models_from):
            location = Location(list_name, number)
            if closed(raw, location):
                continue
            try:
                mid = parse_model_id(raw)
            except UsageError as exc:
                raise UsageError(exc.message, file=list_name, line=number) from exc
            want(mid, location)
    if paths:
        from ..refs import extract_paths

        own = [p for p in (config.path, *exclude) if p is not None]
        for ref in extract_paths(list(paths), exclude=own):
            location = Location(ref.file, ref.line, raw=ref.raw)
            if ref.kind in ("hf-repo", "ollama-tag"):
                try:
                    want(
                        parse_model_id(
                            f"{ref.model}@{ref.revision}" if ref.revision else ref.model
                        ),
                        location,
                    )
                    continue
                except UsageError:
                    pass
            key = (ref.kind, ref.model or ref.raw)
            previous = others.get(key)
            if previous is not None:
                others[key] = Subject(
                    previous.model,
                    facts=previous.facts,
                    findings=previous.findings,
                    locations=(*previous.locations, location),
                    kind=previous.kind,
                )
            elif ref.kind == "closed-api":
                facts = closed_api_facts(ref.model)
                others[key] = Subject(ref.model, facts=facts, locations=(location,), kind=ref.kind)
            elif (local := local_file_subject(ref, location, load)) is not None:
                others[key] = local
            else:
                what = _UNRESOLVED_WHAT.get(ref.kind, "a model reference that cannot be resolved")
                note = f" ({ref.note})" if getattr(ref, "note", None) else ""
                message = (
                    f"{ref.raw!r} is {what}{note}: its licence cannot be established;"
                    " name the Hub model it comes from"
                )
                others[key] = Subject(
                    ref.model or ref.raw,
                    findings=(Finding("license-unknown", "unknown", message),),
                    locations=(location,),
                    kind=ref.kind,
                )
    return list(wanted.values()), list(others.values())


def local_file_subject(
    ref: Any, location: Location, load: Callable[[ModelId], ModelFacts] | None
) -> Subject | None:
    """A subject for a GGUF / safetensors file that exists (facts from its header, or the
    error that it could not be read); None when the reference is not such a file."""
    from ..errors import SourceError
    from ..sources.localfile import is_local_model_file

    text = ref.model or ref.raw
    if ref.kind not in ("gguf-file", "local-path") or not is_local_model_file(text):
        return None
    from .localfile import local_file_facts, resolve_path

    path = resolve_path(text, ref.file)
    if not path.exists():
        return None  # named but not here: the caller's license-unknown finding
    try:
        facts = local_file_facts(path, text, load)
    except SourceError as exc:
        return Subject(text, error=exc, locations=(location,), kind=ref.kind)
    return Subject(text, facts=facts, locations=(location,), kind=ref.kind)


def scan_subjects(
    wanted: Sequence[tuple[ModelId, Sequence[Location]]],
    config: Config,
    *,
    progress: Progress | None = None,
) -> list[Subject]:
    """Scan the models (lineage followed) into Subjects, in order: facts, or the source error."""
    if not wanted:
        return []
    scanner = scanner_for(config, progress)
    return outcome_subjects(scanner.scan([mid for mid, _ in wanted]), where_named(wanted))


def scanner_for(config: Config, progress: Progress | None = None) -> Any:
    """The run.scan.Scanner a check reads its Hub models with (lineage followed)."""
    from . import scan

    source = scan.make_source(config.source)
    return scan.Scanner(
        source,
        lineage=True,
        progress=progress,
        min_confidence=config.policy.min_confidence,
        links=scan.link_settings(config.source, source),
    )


def where_named(
    wanted: Sequence[tuple[ModelId, Sequence[Location]]],
) -> dict[str, tuple[Location, ...]]:
    return {str(mid): tuple(locations) for mid, locations in wanted}


def outcome_subjects(
    outcomes: Iterable[Any], where: Mapping[str, tuple[Location, ...]]
) -> list[Subject]:
    """Subjects of scan outcomes (facts, or the source error), with where each model is named
    (`where_named`)."""
    subjects = []
    for outcome in outcomes:
        locations = where[str(outcome.model_id)]
        if outcome.facts is not None:
            facts = outcome.facts
            subjects.append(Subject(facts.model, facts.revision, facts=facts, locations=locations))
        else:
            mid = outcome.model_id
            subjects.append(
                Subject(mid.repo_id, mid.revision, error=outcome.error, locations=locations)
            )
    return subjects


def model_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, model id) for each line of a model list; blank lines and '#' comments
    are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read model list: {exc}", file=str(path)) from exc
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        item = line.split("#", 1)[0].strip()
        if item:
            out.append((number, item))
    return out
