"""The output guard of a site build: before the build ends, every file
written to the site folder, whatever wrote it (another plugin's include, a
theme override, a `nav:` entry), is checked against what the build withholds
(`audit`); each file that shows any of it is removed, and the build fails
naming the file and the withheld source.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from ..check.library import Library
from ..check.publication import Decision
from ..parse.frontmatter import Document
from .audit import Auditor, Leak, PublicMemo, ReadAhead, Unscanned, plan

# The guard reads files of any size a build writes; past this it fails closed.
MAX_FILE_BYTES = 1024 * 2**20
# A margin for file systems that keep coarse modification times.
_MTIME_MARGIN = 2.0


class OutputGuard:
    """The output guard of one build (see the module's note)."""

    def __init__(
        self,
        library: Library,
        decision: Decision,
        docs_dir: Path,
        config_file: Path | None,
        theme_dirs: Iterable[str],
        include_drafts: bool,
        use_directory_urls: bool,
        memo: PublicMemo | None,
        packaged: Iterable[Path],
        jobs: int | None,
        foreign: Iterable[tuple[str, Document, Path]] = (),
    ) -> None:
        """What the build withholds of `library` (`decision`), less what it
        publishes; a `memo` kept between serve rebuilds saves reading
        unchanged published texts again. `packaged`: the theme's folders
        that are installed packages (see `Plan.packaged`); `foreign`: pages
        other plugins added that are withheld (see `plan`)."""
        made = plan(
            library,
            docs_dir,
            config_file,
            include_drafts,
            [Path(d) for d in theme_dirs],
            memo,
            use_directory_urls,
            decision,
            packaged,
            foreign,
        )
        self.auditor = Auditor(made, MAX_FILE_BYTES, jobs)
        # Whether pages read as they were written (`check`'s `read_before`)
        # were read for less than the guard now looks for.
        self._grown = False

    def extend(self, foreign: Iterable[tuple[str, Document, Path]]) -> None:
        """Look for what the files other plugins added after the guard was
        made, and the build withheld, say too (`Plan.extend`)."""
        foreign = list(foreign)
        if foreign:
            plan = self.auditor.plan
            plan.extend(foreign)
            self.auditor = Auditor(plan, MAX_FILE_BYTES, self.auditor.jobs)
            self._grown = True

    def close_plan(self) -> None:
        """No file is withheld after this: what the site publishes, kept to
        extend the plan, is let go."""
        self.auditor.plan.published = None

    @property
    def empty(self) -> bool:
        """Whether the build withholds nothing there is to look for."""
        return self.auditor.plan.empty

    @property
    def looked_for(self) -> object:
        """What the guard looks for: while it stays the same from one
        `serve --dirty` rebuild to the next, files written before were read
        for all of it already."""
        needles = self.auditor.plan.needles
        return (frozenset(needles.phrases), needles.by_digest)

    def check(
        self,
        site_dir: Path,
        written_since: float | None,
        read_before: Mapping[str, ReadAhead] | None,
    ) -> str | None:
        """Read the site folder: every file, or with `written_since` (a
        POSIX timestamp) only the files written since, less the pages read
        as they were written whose bytes are still those read
        (`read_before`). Remove each file or folder that shows what is
        withheld, and say why the build fails, or None."""
        since = None if written_since is None else written_since - _MTIME_MARGIN
        if self._grown:
            # Read for other needles, by the numbers of another matcher.
            read_before = None
        result = self.auditor.audit(site_dir, site_dir, since, read_before)
        bad: list[Leak | Unscanned] = [*result.leaks, *result.unscanned]
        if not bad:
            return None
        removed = [item for item in bad if not _users(item.rel)]
        kept = [item for item in bad if _users(item.rel)]
        for item in removed:
            if item.rel:
                with contextlib.suppress(OSError):
                    _remove(site_dir, item.rel)
        lines = "\n".join(f"  {item.line()}" for item in removed)
        said = f"these were removed:\n{lines}\n" if lines else ""
        if kept:
            left = "\n".join(f"  {item.line()}" for item in kept)
            said += (
                "these are inside a .git folder, which MkDocs keeps and never writes, "
                f"and were left as they are:\n{left}\n"
            )
        return (
            f"the site would show what it withholds; {said}"
            "Take the included or quoted text out of the published page, or publish its source."
        )


def _users(rel: str) -> bool:
    """Whether a path of the site folder is inside a `.git` folder: a
    repository kept there to deploy from (MkDocs' clean leaves every
    dot-entry of site_dir) is the user's, and a ref named after a withheld
    id fails the build but is never deleted."""
    return ".git" in PurePosixPath(rel).parts


def _remove(site_dir: Path, rel: str) -> None:
    """Take a file or folder out of the site folder. The guard reads through
    symbolic links (a deploy copies what they point at), and a folder read
    through a link is read once, under the link's name: what a link inside
    the site points at goes, but nothing outside the build's output (a
    user's own folder) does; there the link goes itself, as does a link
    whose own name shows the leak. A folder goes with all it holds, every
    path of which shows its name."""
    # realpath: a loop raises no RuntimeError, as Path.resolve's would.
    root = Path(os.path.realpath(site_dir))
    path = root
    parts = PurePosixPath(rel).parts
    for i, part in enumerate(parts, 1):
        path = path / part
        if not path.is_symlink():
            continue
        target = Path(os.path.realpath(path))
        if i == len(parts) or not target.is_relative_to(root):
            path.unlink()
            return
        path = target
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
