"""Sites whose pages come from several folders (mkdocs-monorepo-plugin).

A monorepo site's `nav` includes other sites' `mkdocs.yml` (`!include
./team-a/mkdocs.yml`); the build copies the site's own docs folder and
each included site's docs folder (under its alias) into one temporary
folder and builds from that. Lint, the build and `audit` must agree on
which files are postmortems, so lint and audit read the same merged tree,
and every finding names the file where its author wrote it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Mounts:
    """The site's own docs folder and the folders merged under it: each
    `(alias, folder)` is copied to `<alias>/` of the merged tree, after the
    site's own, in this order (a later one's file replaces an earlier's)."""

    root: Path
    subs: tuple[tuple[str, Path], ...]

    def real_path(self, merged_dir: Path, path: Path) -> Path:
        """The file in its own folder that `path`, in the merged tree at
        `merged_dir`, is a copy of (`path` itself where it is no copy)."""
        mine, base = os.path.abspath(path), os.path.abspath(merged_dir).rstrip(os.sep) + os.sep
        if not mine.startswith(base):
            return path
        rel = mine[len(base) :].replace(os.sep, "/")
        found = self.sub_site_of(rel)
        return self.root / rel if found is None else found[1] / found[2]

    def sub_site_of(self, rel: str) -> tuple[str, Path, str] | None:
        """The included site a file of the merged tree (by its path there,
        `rel`, `/`-separated) was copied from: its alias, its docs folder and
        the file's path in that folder; None for a file of the site's own."""
        # The last folder copied over a path is the one its file came from.
        for alias, folder in reversed(self.subs):
            head = alias.strip("/") + "/"
            if rel.startswith(head) and (folder / rel[len(head) :]).exists():
                return alias, folder, rel[len(head) :]
        return None

    @property
    def folders(self) -> list[Path]:
        """Every folder the merged tree is made of, the site's own first."""
        return [self.root, *(folder for _, folder in self.subs)]

    def shown_as(self, merged_dir: Path) -> Callable[[Path], Path]:
        return lambda path: self.real_path(merged_dir, path)

    def merge_into(self, target: Path) -> None:
        """Copy the folders into `target` as the monorepo build does: links
        are copied as links, so a link out of a folder is reported, never
        followed."""
        shutil.copytree(self.root, target, symlinks=True, dirs_exist_ok=True)
        for alias, folder in self.subs:
            dest = target.joinpath(*[p for p in alias.split("/") if p])
            shutil.copytree(folder, dest, symlinks=True, dirs_exist_ok=True)
