"""Kind to the Hub: one metadata call and one GET per needed file, blobs read once, pacing."""

from __future__ import annotations

import pytest
from fakehub import FakeHub, Fault

from compliance.errors import UsageError
from compliance.modelid import parse_model_id
from compliance.run.scan import Scanner
from compliance.sources.blobs import git_blob_id
from compliance.sources.cache import SnapshotCache
from compliance.sources.hub import HubSource
from compliance.sources.pacing import HostPacer, concurrency_from_env, parse_ratelimit

APACHE = "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n" * 3


def _repo(root, repo_id, licence_text, card_extra=""):
    folder = root / repo_id
    folder.mkdir(parents=True)
    (folder / "README.md").write_text(
        f"---\nlicense: apache-2.0\n{card_extra}---\n# {repo_id}\n", encoding="utf-8"
    )
    (folder / "LICENSE").write_text(licence_text, encoding="utf-8")


@pytest.fixture()
def hub(tmp_path):
    root = tmp_path / "hub"
    for n in range(6):
        _repo(root, f"org{n % 2}/model-{n}", APACHE)
    server = FakeHub(root).start()
    yield server
    server.stop()


def _source(tmp_path, hub, **kwargs):
    return HubSource(SnapshotCache(tmp_path / "cache"), endpoint=hub.url, **kwargs)


def test_git_blob_id_is_gits():
    # `printf 'hello\n' | git hash-object --stdin`
    assert git_blob_id(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_a_cold_model_is_one_metadata_call_and_one_get_per_file_no_head(tmp_path, hub):
    snapshot = _source(tmp_path, hub).fetch(parse_model_id("org0/model-0"))
    assert {f.path for f in snapshot.files} == {"README.md", "LICENSE"}
    made = [(r.method, r.path) for r in hub.requests]
    assert made[0] == ("GET", "/api/models/org0/model-0")
    assert sorted(made[1:]) == sorted(
        ("GET", f"/org0/model-0/resolve/{snapshot.revision}/{name}")
        for name in ("README.md", "LICENSE")
    )
    assert all(method == "GET" for method, _ in made)


def test_a_licence_read_once_is_never_downloaded_again(tmp_path, hub):
    source = _source(tmp_path, hub)
    first = source.fetch(parse_model_id("org0/model-0"))
    hub.requests.clear()
    second = source.fetch(parse_model_id("org1/model-1"))
    paths = [r.path for r in hub.requests]
    assert not any(p.endswith("/LICENSE") for p in paths), paths
    assert any(p.endswith("/README.md") for p in paths)  # its own card: another blob
    assert second.file("LICENSE").text == first.file("LICENSE").text
    assert second.file("LICENSE").sha256 == first.file("LICENSE").sha256


def test_a_damaged_stored_blob_is_refetched(tmp_path, hub):
    source = _source(tmp_path, hub)
    source.fetch(parse_model_id("org0/model-0"))
    for stored in (tmp_path / "cache" / "blobs").rglob("git-*"):
        stored.write_bytes(b"Free for everyone, no conditions.\n")
    hub.requests.clear()
    snapshot = source.fetch(parse_model_id("org1/model-1"))
    assert any(r.path.endswith("/LICENSE") for r in hub.requests)
    assert snapshot.file("LICENSE").text == APACHE


def test_a_download_that_is_not_the_listed_blob_fails_closed(tmp_path, hub):
    from compliance.errors import NetworkError

    hub.add_fault(r"/resolve/.*/LICENSE$", Fault(truncate=True))
    with pytest.raises(NetworkError):
        _source(tmp_path, hub, retry_budget=1.0, backoff=0.01, timeout=0.5).fetch(
            parse_model_id("org0/model-2")
        )


def test_a_file_over_its_listed_size_cap_is_skipped_without_a_request(tmp_path):
    root = tmp_path / "hub"
    _repo(root, "org/big", "x" * (2 * 1024 * 1024))
    server = FakeHub(root).start()
    try:
        snapshot = _source(tmp_path, server).fetch(parse_model_id("org/big"))
        licence = snapshot.file("LICENSE")
        assert licence.text is None and licence.skipped and "too-large" in licence.skipped
        assert not any(r.path.endswith("/LICENSE") for r in server.requests)
    finally:
        server.stop()


def test_ratelimit_headers_are_read_as_the_hub_sends_them():
    info = parse_ratelimit(
        {"RateLimit": '"api";r=12;t=55', "RateLimit-Policy": '"fixed window";"api";q=500;w=300'}
    )
    assert info is not None
    assert (info.bucket, info.remaining, info.reset, info.limit, info.window) == (
        "api",
        12,
        55.0,
        500,
        300,
    )
    assert parse_ratelimit({"RateLimit": "garbage"}) is None
    assert parse_ratelimit({}) is None


def test_the_pacer_holds_off_when_the_window_is_nearly_spent():
    pacer = HostPacer(concurrency=2)
    url = "https://hub.example/api/models/a/b"
    pacer.observe(url, 200, {"RateLimit": '"api";r=5;t=30'}, None)
    waits = [pacer._wait_time("api", 0.0) for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0]  # 5 left, 2 kept for requests in flight
    assert waits[3] > 0
    # a file resolve is another bucket, not held back by the API window
    assert pacer._wait_time("resolvers", 0.0) == 0.0


def test_a_429_holds_every_request_of_its_bucket_for_retry_after():
    pacer = HostPacer(concurrency=8)
    pacer.observe("https://hub.example/api/models/a/b", 429, {}, 7.0)
    import time

    assert pacer._wait_time("api", time.monotonic()) > 6


def test_paced_requests_wait_for_the_window_instead_of_running_into_429(tmp_path, hub):
    from concurrent.futures import ThreadPoolExecutor

    from compliance.sources.hub import _Deadline

    window = hub.rate_limit("api", 5, 1.0)
    source = _source(tmp_path, hub, concurrency=2)
    models = [parse_model_id(f"org{n % 2}/model-{n}") for n in range(6)] * 2

    def info(model):
        return source._model_info(model, _Deadline(30.0)).sha

    with ThreadPoolExecutor(4) as pool:
        shas = list(pool.map(info, models))
    assert len(set(shas)) == 6
    assert window.refused == 0
    assert len(hub.requests) == len(models)  # nothing refused, nothing retried
    assert source._pacer().waited > 0  # 12 calls at 5 per second: it had to slow down


def test_a_scan_under_the_hubs_window_never_sees_429(tmp_path):
    root = tmp_path / "hub"
    ids = [f"org/model-{n}" for n in range(8)]
    for repo_id in ids:
        _repo(root, repo_id, APACHE + repo_id)  # distinct licences: every file is downloaded
    server = FakeHub(root).start()
    api = server.rate_limit("api", 4, 1.0)
    files = server.rate_limit("resolvers", 6, 1.0)
    try:
        source = _source(tmp_path, server, concurrency=2)
        outcomes = Scanner(source, lineage=False, workers=4).scan(parse_model_id(m) for m in ids)
        assert [o.error for o in outcomes] == [None] * len(ids)
        assert api.refused == 0 and files.refused == 0
        assert len(server.requests) == 3 * len(ids)  # nothing refused, nothing retried
    finally:
        server.stop()


def test_without_pacing_the_same_window_answers_429(tmp_path):
    """The control for the test above: the fake Hub's window really refuses."""
    root = tmp_path / "hub"
    _repo(root, "org/m", APACHE)
    server = FakeHub(root).start()
    window = server.rate_limit("api", 1, 60.0)
    try:
        import urllib.error
        import urllib.request

        urllib.request.urlopen(f"{server.url}/api/models/org/m").read()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{server.url}/api/models/org/m")
        assert refused.value.code == 429
        assert refused.value.headers["Retry-After"]
        assert refused.value.headers["RateLimit"].startswith('"api";r=0;t=')
        assert window.refused == 1
    finally:
        server.stop()


def test_concurrency_setting(monkeypatch):
    monkeypatch.delenv("COMPLIANCE_HUB_CONCURRENCY", raising=False)
    assert concurrency_from_env() == 8
    monkeypatch.setenv("COMPLIANCE_HUB_CONCURRENCY", "3")
    assert concurrency_from_env() == 3
    for bad in ("0", "-1", "many", "1000"):
        monkeypatch.setenv("COMPLIANCE_HUB_CONCURRENCY", bad)
        with pytest.raises(UsageError):
            concurrency_from_env()


def test_a_bad_concurrency_setting_is_a_usage_error(fake_hub, cli, monkeypatch):
    monkeypatch.setenv("COMPLIANCE_HUB_CONCURRENCY", "lots")
    code, _, err = cli("scan", "acme/apache-finetune", "--no-lineage")
    assert code == 2, err
    assert "COMPLIANCE_HUB_CONCURRENCY" in err


def test_a_base_shared_by_many_fine_tunes_is_read_once_per_run(tmp_path):
    root = tmp_path / "hub"
    _repo(root, "base/llama-base", APACHE)
    ids = [f"ft/model-{n}" for n in range(6)]
    for repo_id in ids:
        _repo(root, repo_id, APACHE, card_extra="base_model: base/llama-base\n")
    server = FakeHub(root).start()
    try:
        source = _source(tmp_path, server)
        outcomes = Scanner(source, lineage=True, workers=4).scan(parse_model_id(m) for m in ids)
        assert [o.error for o in outcomes] == [None] * len(ids)
        base_calls = [r for r in server.requests if r.path.startswith("/api/models/base/")]
        assert len(base_calls) == 1
        licences = [r for r in server.requests if r.path.endswith("/LICENSE")]
        assert len(licences) == 1  # one text, shipped by all seven repos
        # per fine-tune: its metadata and its card; the base and the shared LICENSE once
        assert len(server.requests) == 2 * len(ids) + 2 + 1
    finally:
        server.stop()


def test_blob_keys_from_the_hubs_listing():
    import hashlib

    from compliance.sources.blobs import blob_key, matches

    data = b"Apache License\n"
    git = blob_key(git_blob_id(data), None)
    assert git == "git-" + git_blob_id(data) and matches(git, data)
    lfs = blob_key("0" * 40, hashlib.sha256(data).hexdigest())  # LFS: the content's sha256
    assert lfs is not None and lfs.startswith("sha256-") and matches(lfs, data)
    assert not matches(lfs, data + b"x")
    for bad in (None, "", "../../etc/passwd", "g" * 40, "A" * 40, 12):
        assert blob_key(bad, None) is None  # type: ignore[arg-type]
