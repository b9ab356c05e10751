"""The second process (`parallel`): the same results as one process, in
order, whatever happens to the child; and sites built with it are the
sites built without it, file for file."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pytest
from conftest import REPO, postmortem_text
from mkdocs_postmortems import LibraryLoader, Settings, parallel
from mkdocs_postmortems.check.library import review_later
from sitekit import write_site_at

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "darwin", reason="no safe fork on this system"
)


@pytest.fixture
def alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if this were the only thread: tests before may leave one running
    (a preview server's, the browser driver's), which would rightly keep
    `parallel` in one process. The children here only compute and pickle."""
    monkeypatch.setattr(parallel.threading, "active_count", lambda: 1)


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_split_map_shares_the_work_and_keeps_the_order(alone: None) -> None:
    """The second half runs in another process; results come back in order."""
    got = parallel.split_map(list(range(11)), _square_and_pid, jobs=2)
    assert [v for v, _ in got] == [x * x for x in range(11)]
    assert {pid for _, pid in got[::2]} == {os.getpid()}
    assert os.getpid() not in {pid for _, pid in got[1::2]}


def test_split_map_does_the_childs_half_when_the_child_dies(alone: None) -> None:
    """A child that dies (killed, crashed) costs time, never results."""
    parent = os.getpid()

    def work(x: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return x + 1

    assert parallel.split_map(list(range(7)), work, jobs=2) == list(range(1, 8))


def test_split_map_does_the_childs_half_when_its_work_fails(alone: None) -> None:
    """An exception in the child is not lost in a half-written pickle."""
    parent = os.getpid()

    def work(x: int) -> int:
        if os.getpid() != parent and x == 5:
            raise RuntimeError("only in the child")
        return -x

    assert parallel.split_map(list(range(8)), work, jobs=2) == [-x for x in range(8)]


def test_one_job_keeps_everything_in_this_process() -> None:
    """`jobs: 1` turns the second process off, whatever the size."""
    assert not parallel.second_process(10**6, jobs=1)
    got = parallel.split_map(list(range(500)), _square_and_pid, jobs=1)
    assert {pid for _, pid in got} == {os.getpid()}
    assert not parallel.Ahead([(1, partial(_square_and_pid, 1))], jobs=1).running


def test_automatic_choice_needs_enough_work(alone: None) -> None:
    """Unset, small work stays here; large work goes out where there are two cores."""
    assert not parallel.second_process(parallel.AUTO_FROM - 1)
    assert parallel.second_process(parallel.AUTO_FROM) == (len(os.sched_getaffinity(0)) > 1)


def test_no_fork_while_another_thread_runs() -> None:
    """A thread could hold a lock (logging's, the allocator's) forever in a child."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not parallel.second_process(10**6, jobs=2)
        got = parallel.split_map(list(range(10)), _square_and_pid, jobs=2)
        assert {pid for _, pid in got} == {os.getpid()}
    finally:
        stop.set()
        thread.join()


def test_ahead_gives_each_result_once_in_any_order(alone: None) -> None:
    """Results asked out of order are found; early jobs too; each is given once."""
    jobs = [(i, partial(_square_and_pid, i)) for i in range(60)]
    ahead = parallel.Ahead(jobs, early=[50, 55, 59], jobs=2)
    assert ahead.running
    try:
        order = [3, 0, 59, 1, 2, *range(4, 59)]
        got = {i: ahead.take(i) for i in order}
        assert {i: v for i, (v, _) in got.items()} == {i: i * i for i in range(60)}
        assert {pid for _, pid in got.values()} - {os.getpid()}
        assert ahead.take(3) is None
    finally:
        ahead.close()


def test_work_wanted_at_once_is_shared_with_the_worker(alone: None) -> None:
    """Early work not yet started when it is wanted: the worker keeps what
    it was given and takes half of the rest; the caller is handed the other
    half to do itself, and `take` gives the worker's share."""
    jobs = [(i, partial(_square_and_pid, i)) for i in range(12)]
    early = list(range(4, 12))
    ahead = parallel.Ahead(jobs, early=early, jobs=2)
    assert ahead.running
    try:
        assert [ahead.take(i)[0] for i in range(4)] == [0, 1, 4, 9]
        mine = ahead.share(early)
        # Some early tasks were given while the worker was idle; of the
        # rest, the worker took the first half, the caller has the last.
        assert mine == early[-len(mine) :] and 1 <= len(mine) <= len(early) // 2
        theirs = [ahead.take(i) for i in early if i not in mine]
        assert [v for v, _ in theirs] == [i * i for i in early if i not in mine]
        assert os.getpid() not in {pid for _, pid in theirs}
    finally:
        ahead.close()
    assert parallel.Ahead(jobs, early=early, jobs=1).share(early) == early


def test_ahead_does_not_wait_for_what_it_was_not_given(alone: None) -> None:
    """Asking for a key no job has is an immediate None, even while the
    child is busy; closing ends a child stuck in a job."""
    ahead = parallel.Ahead([("slow", partial(threading.Event().wait))], jobs=2)
    assert ahead.running
    assert ahead.take("other") is None
    ahead.close()
    assert not ahead.running


def test_ahead_gives_none_for_what_a_dead_child_never_sent(alone: None) -> None:
    """The caller makes what the child did not deliver."""
    parent = os.getpid()

    def job(i: int) -> int:
        if os.getpid() != parent and i == 3:
            os._exit(9)
        return i

    ahead = parallel.Ahead([(i, partial(job, i)) for i in range(6)], jobs=2)
    assert [ahead.take(i) for i in range(6)] == [0, 1, 2, None, None, None]
    ahead.close()


def _wait_then_tell(stop: object) -> tuple[int, int, int]:
    """A background task: waits to be told to stop, counting its looks."""
    import time

    looks = 0
    while not stop():  # type: ignore[operator]
        looks += 1
        time.sleep(0.01)
    return os.getpid(), os.nice(0), looks


def test_a_background_task_runs_beside_the_others_until_told_to_stop(alone: None) -> None:
    """The background task runs in a worker of its own, at the lowest CPU
    priority, while the other worker delivers the tasks; asked for its
    result, it is told to stop and gives what it made."""
    jobs = [(i, partial(_square_and_pid, i)) for i in range(20)]
    ahead = parallel.Ahead(jobs, jobs=2, background=_wait_then_tell)
    try:
        assert [ahead.take(i)[0] for i in range(20)] == [i * i for i in range(20)]
        pid, nice, looks = ahead.background_result()
        assert pid != os.getpid() and nice == 19 and looks >= 1
        assert ahead.background_result() is None  # given once
    finally:
        ahead.close()


def test_no_background_task_in_one_process() -> None:
    ahead = parallel.Ahead([(0, partial(_square_and_pid, 0))], jobs=1, background=_wait_then_tell)
    assert not ahead.running
    assert ahead.background_result() is None


# --- whole sites ------------------------------------------------------------------

SYSTEMS = ["support-assistant", "ranker", "claims-triage", "translator"]
CANARY_RESTRICTED = "Canary restricted 7d1f parallel"
CANARY_DRAFT = "Canary draft 5be2 parallel"


def _library() -> dict[str, str]:
    files = {}
    for i in range(1, 41):
        pm = f"INC-2025-{i:03d}"
        files[f"{pm}.md"] = postmortem_text(
            id=pm,
            title=f"Incident number {i} in {SYSTEMS[i % 4]}",
            systems=f"[{SYSTEMS[i % 4]}]",
            date=f"2025-{1 + i % 12:02d}-{1 + i % 27:02d}",
            detected=None,
            resolved=None,
            related=f"[INC-2025-{1 + (i % 40):03d}]" if i % 5 == 0 else None,
        )
    # A finding for lint to report, and for the build to log (a warning).
    files["INC-2025-040.md"] += "\nThe on-call engineer should have noticed the alert sooner.\n"
    files["INC-2025-041.md"] = postmortem_text(
        id="INC-2025-041", title=CANARY_RESTRICTED, visibility="restricted"
    )
    files["INC-2025-042.md"] = postmortem_text(
        id="INC-2025-042", title=CANARY_DRAFT, status="draft"
    )
    return files


def _tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_site_at(tmp_path_factory.mktemp("parallel"), _library())


# One build instant for every build compared here: the reporting page says
# "as of" it, and builds a minute apart would differ there alone.
SAME_INSTANT = {"SOURCE_DATE_EPOCH": "1767225600"}


def _with_jobs(root: Path, jobs: str, config: str = "mkdocs.yml", extra: str = "") -> Path:
    """A copy of `config` whose plugin options set `jobs` (and `extra` appended)."""
    text = (root / config).read_text(encoding="utf-8")
    made = root / f"jobs-{jobs}-{config}"
    made.write_text(
        text.replace("  - postmortems:\n", f"  - postmortems:\n      jobs: {jobs}\n", 1) + extra,
        encoding="utf-8",
    )
    return made


def _build(root: Path, out: Path, jobs: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **SAME_INSTANT}
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(_with_jobs(root, jobs))]
    return subprocess.run(
        [*cmd, "-d", str(out), *args],
        cwd=root,
        env={**env, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_site_built_with_a_second_process_is_the_same_file_for_file(library: Path) -> None:
    """Forced into two processes, the build writes what one process writes:
    every page, export and asset, byte for byte, and nothing unpublished."""
    one = _build(library, library / "one", "1", "-v")
    two = _build(library, library / "two", "2", "-v")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert "ahead in a second process" in two.stderr
    assert "ahead in a second process" not in one.stderr
    a, b = _tree(library / "one"), _tree(library / "two")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert "incidents/INC-2025-007/index.html" in a
    assert "blameless-counterfactual" in one.stderr and "blameless-counterfactual" in two.stderr
    for canary in (CANARY_RESTRICTED, CANARY_DRAFT):
        assert not [k for k, data in b.items() if canary.encode() in data]


def test_site_is_whole_when_the_second_process_dies(library: Path) -> None:
    """A child killed halfway through the fragments: this process renders the
    rest, and the site is still the one-process site."""
    hook = library / "die_in_child.py"
    hook.write_text(
        "import os\n"
        "from mkdocs_postmortems.web import render\n"
        "PARENT = os.getpid()\n"
        "_render = render.Renderer.render\n"
        "_count = [0]\n"
        "def render_or_die(self, *args, **kwargs):\n"
        "    if os.getpid() != PARENT:\n"
        "        _count[0] += 1\n"
        "        if _count[0] > 15:\n"
        "            os._exit(9)\n"
        "    return _render(self, *args, **kwargs)\n"
        "render.Renderer.render = render_or_die\n",
        encoding="utf-8",
    )
    config = _with_jobs(library, "2", extra="hooks:\n  - die_in_child.py\n")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **SAME_INSTANT}
    cmd = [sys.executable, "-m", "mkdocs", "build", "-v", "-f", str(config)]
    dying = subprocess.run(
        [*cmd, "-d", str(library / "dying")],
        cwd=library,
        env={**env, "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert dying.returncode == 0, dying.stderr
    assert "ahead in a second process" in dying.stderr
    one = _build(library, library / "one-again", "1")
    assert one.returncode == 0, one.stderr
    a, b = _tree(library / "one-again"), _tree(library / "dying")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_lint_with_a_second_process_reports_the_same(library: Path) -> None:
    """The library's checks shared between two processes find what one finds."""
    lint = Path(sys.executable).with_name("postmortems")
    outs = []
    for jobs in ("1", "2"):
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        done = subprocess.run(
            [str(lint), "lint", "--format", "json", "--jobs", jobs],
            cwd=library,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        outs.append((done.returncode, done.stdout))
    assert outs[0] == outs[1]
    assert '"rule": "blameless-counterfactual"' in outs[0][1]


def _language_library() -> dict[str, str]:
    """Clean postmortems but for blameless-language warnings: in a published
    incident's narrative and summary, and in a restricted one and a draft,
    whose findings are reported although their pages are not built."""
    files = {
        f"INC-2025-{i:03d}.md": postmortem_text(id=f"INC-2025-{i:03d}", date="2025-03-14")
        for i in range(1, 31)
    }
    files["INC-2025-007.md"] = (
        postmortem_text(
            id="INC-2025-007",
            summary="A careless reviewer approved the prompt change.",
        )
        + "\nThe on-call engineer should have noticed the alert sooner.\n"
    )
    files["INC-2025-008.md"] = (
        postmortem_text(id="INC-2025-008", visibility="restricted")
        + "\nRoot cause: human error during the rollout.\n"
    )
    files["INC-2025-009.md"] = (
        postmortem_text(id="INC-2025-009", status="draft") + "\nThe fix was simply a rollback.\n"
    )
    return files


def test_language_review_left_for_later_reads_a_file_again_only_for_its_front_matter(
    tmp_path: Path, alone: None
) -> None:
    """The review left for later reviews each document as the load parsed
    it; a file is read again only where a finding lies in its front matter,
    whose positions a one-off build's load forgot. The findings are those
    of a load that reviewed everything at once."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in _language_library().items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(taxonomy=str(REPO / "schema" / "taxonomy.yml"), jobs=2)
    whole = LibraryLoader().load(docs, settings, tmp_path, tmp_path).findings
    expected = sorted(f for f in whole if f.rule.startswith("blameless-"))
    assert {f.path for f in expected} == {f"docs/INC-2025-00{i}.md" for i in (7, 8, 9)}
    loader = LibraryLoader(keep_positions=False, language_later=True)
    later = loader.load(docs, settings, tmp_path, tmp_path)
    assert not [f for f in later.findings if f.rule.startswith("blameless-")]
    later.drop_parse_data()
    # Gone from disk: their findings can only come from what the load parsed.
    (docs / "INC-2025-008.md").unlink()
    (docs / "INC-2025-009.md").unlink()
    assert sorted(review_later(loader.language_pending, settings)) == expected


WITHHELD = "(message not logged: this file is withheld from the site; `postmortems lint` shows it)"


def _finding_lines(text: str) -> list[str]:
    """The findings a build logged, as lint prints them, in order."""
    mark = "WARNING -  mkdocs_postmortems: "
    return [line.split(mark, 1)[1] for line in text.splitlines() if mark in line]


@pytest.mark.parametrize("child", ["works", "dies"])
def test_language_review_left_to_the_second_process_is_reported_in_full(
    tmp_path: Path, child: str
) -> None:
    """Two processes review the narrative's language after the library is
    published: the build logs the warnings lint finds, each once, whether
    the second process delivers them or dies first, and --strict fails on
    them as it does with one process."""
    root = write_site_at(tmp_path, _language_library())
    lint = Path(sys.executable).with_name("postmortems")
    linted = subprocess.run(
        [str(lint), "lint", "--no-hints"], cwd=root, capture_output=True, text=True, timeout=120
    )
    expected = [line for line in linted.stdout.splitlines() if ": warning " in line]
    assert {line.split(": warning ")[1].split(":")[0] for line in expected} == {
        "blameless-judgement",
        "blameless-counterfactual",
        "blameless-human-error",
        "blameless-minimiser",
    }
    if child == "dies":
        (root / "die_in_review.py").write_text(
            "import os\n"
            "from mkdocs_postmortems.web import fragments\n"
            "PARENT = os.getpid()\n"
            "_review = fragments.review_later\n"
            "def review_or_die(*args, **kwargs):\n"
            "    if os.getpid() != PARENT:\n"
            "        os._exit(9)\n"
            "    return _review(*args, **kwargs)\n"
            "fragments.review_later = review_or_die\n",
            encoding="utf-8",
        )
        config = root / "mkdocs.yml"
        config.write_text(
            config.read_text(encoding="utf-8") + "hooks:\n  - die_in_review.py\n",
            encoding="utf-8",
        )
    one = _build(root, root / "one", "1")
    two = _build(root, root / "two", "2", "-v")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert "ahead in a second process" in two.stderr
    # The restricted postmortem's warning is logged without its message.
    logged = [
        f"{line.split(': ', 2)[0]}: {line.split(': ', 2)[1]}: {WITHHELD}"
        if line.startswith("docs/INC-2025-008.md:")
        else line
        for line in expected
    ]
    assert sorted(_finding_lines(one.stderr)) == sorted(logged)
    assert sorted(_finding_lines(two.stderr)) == sorted(logged)
    # Reviewed in the second process, so reported once the pages are under way.
    started = two.stderr.index("ahead in a second process")
    assert two.stderr.index("WARNING -  mkdocs_postmortems:") > started
    strict = _build(root, root / "strict", "2", "--strict")
    assert strict.returncode != 0
    assert "Aborted with 4 warnings in strict mode" in strict.stdout + strict.stderr
