"""The version the course states: written and committed on the release branch (with CHANGELOG.md
at the final), the candidate's draft notes, and the development branch moved past the release.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tinyrelease.release import changelog, versions
from tinyrelease.release.changelog import ChangelogConfig
from tinyrelease.release.errors import Refused
from tinyrelease.release.git import TOOL_PREFIX
from tinyrelease.release.model import Kind, Release, Stage, Status
from tinyrelease.release.runner import Runner
from tinyrelease.release.steps.base import FinalStep, ReleaseStep, Verdict, done_or, merge_went
from tinyrelease.release.survey import stated_at


class VersionStep(ReleaseStep):
    key = "version"

    @property
    def final(self) -> bool:
        return self.release.stage == Stage.FINAL

    @property
    def title(self) -> str:
        return f"version {self.release.version}" + (" and CHANGELOG.md" if self.final else "") \
            + " committed"

    def judge(self) -> Verdict:
        line, version = self.snapshot.line, self.release.version
        if line is None:
            return Status.TODO, f"files still state {self.state.version}"
        noted = line.changelog is not None and \
            changelog.section_of(line.changelog, str(version)) is not None
        committed = line.stated == version
        return done_or(committed and (not self.final or noted), "committed",
                       "committed" if committed else f"files still state {line.stated}")

    def apply(self, runner: Runner) -> None:
        state, root, version = self.state, self.root, str(self.release.version)
        runner.switch(self.release.branch)
        changed = write_version(runner, root, state.package, version, str(state.version),
                                self.settings.sites)
        if self.final and state.changelog is not None:
            changed += self._changelog(runner, state.changelog, version)
        existing = _existing(root) | {p for p in self.settings.version_sites if (root / p).exists()}
        runner.git("add", "--", *sorted({*changed, *state.owned_paths()} & existing))
        staged = runner.probe(lambda: not runner.reads.run("diff", "--cached", "--quiet",
                                                           check=False).ok, assume=True)
        if staged:  # else an earlier run committed it already
            runner.git("commit", "--quiet", "-m", f"{TOOL_PREFIX}{version}")

    def _changelog(self, runner: Runner, cfg: ChangelogConfig, version: str) -> list[str]:
        root, written = self.root, []
        if cfg.by_hand:
            return self._by_hand(runner, cfg, version)
        if not changelog.has_section(root, cfg, version):
            if not changelog.fragments(root, cfg):
                raise Refused(f"no changelog fragments in {cfg.directory}/ for {version}: add "
                              "one (towncrier create +fix.bugfix.md)")
            if not changelog.has_marker(root, cfg):
                runner.act(f"put towncrier's start marker into {cfg.filename}, above the "
                           "newest version", lambda: changelog.ensure_marker(root, cfg))
            built = runner.run(changelog.towncrier("build", "--yes", "--version", version),
                               cwd=root, timeout=120)
            runner.confirm(lambda: changelog.require(built, root))
            written.append(cfg.filename)
        # a run killed after the changelog was written but before towncrier removed its
        # fragments: they are in the notes now, so they go, and are never released twice
        if consumed := changelog.consumed(root, cfg, version):
            def remove() -> None:
                for rel in consumed:
                    (root / rel).unlink()

            runner.act(f"remove {', '.join(consumed)}: already in the notes of {version}", remove)
        if (root / cfg.directory).is_dir():
            runner.git("add", "--all", "--", cfg.directory)
        return written


    def _by_hand(self, runner: Runner, cfg: ChangelogConfig, version: str) -> list[str]:
        """Keep a Changelog: `[Unreleased]` becomes this release's section, dated today."""
        root, path = self.root, self.root / cfg.filename
        if changelog.has_section(root, cfg, version):
            return []
        if not changelog.pending(root, cfg) and self.release.kind in (Kind.MINOR, Kind.MAJOR):
            raise Refused(f"the [Unreleased] section of {cfg.filename} is empty: a "
                          f"{self.release.kind} release needs its notes; write them under it "
                          "and commit")
        day = date.today().isoformat()

        def write() -> None:
            text = path.read_text(encoding="utf-8")
            versions.write_atomic(path, changelog.released(text, version, self.release.tag, day))

        runner.act(f"write {cfg.filename}: [Unreleased] becomes [{version}] — {day}, a fresh "
                   "[Unreleased] above it", write)
        return [cfg.filename]


def write_version(runner: Runner, root: Path, package: str | None, new: str,
                  fallback: str, configured: versions.Configured) -> list[str]:
    """Write `new` wherever the checked-out files state their version; the files it changes."""
    stated = next((x.value for x in versions.find_sites(root, package)
                   if x.path == "pyproject.toml"), fallback)
    texts = versions.rewrites(root, package, stated, new, configured)
    if texts:
        runner.act(f"write {new} into {', '.join(texts)}",
                   lambda: versions.write_texts(root, texts))
    return list(texts)


def _existing(root: Path) -> set[str]:
    return {p for p in ("pyproject.toml", "settings.ini", "README.md", "CHANGELOG.md",
                        *versions.BOOK_CONFIGS) if (root / p).exists()} | {
        str(p.relative_to(root)) for p in root.glob("*/__init__.py")}


class NotesStep(ReleaseStep):
    key = "notes"

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.stage == Stage.RC

    @property
    def title(self) -> str:
        return "draft release notes for review"

    def judge(self) -> Verdict:
        return done_or(self.snapshot.seen.notes, "written", "not drafted")

    def apply(self, runner: Runner) -> None:
        root, final, path = self.root, str(self.release.final), self.folder / "notes.md"
        configured = self.state.changelog is not None

        def write() -> None:
            text = changelog.draft(root, final, self.state.changelog) if configured else \
                "(no changelog configured)\n"
            versions.write_atomic(path, text)

        how = "the [Unreleased] section" if self.state.changelog and self.state.changelog.by_hand \
            else "towncrier build --draft"
        runner.act(f"write {path}: the notes {final} would get ({how})"
                   if configured else f"write {path}: no changelog is configured", write)


class DevStep(FinalStep):
    key = "dev"

    @classmethod
    def belongs(cls, release: Release) -> bool:
        return release.stage == Stage.FINAL and release.kind != Kind.HOTFIX and \
            not release.direct

    @property
    def next(self) -> str:
        return str(versions.next_dev(self.release.final))

    @property
    def title(self) -> str:
        return f"{self.settings.dev_branch} moved to {self.next} and pushed"

    def judge(self) -> Verdict:
        remote, dev = self.state.remote, self.settings.dev_branch
        stated = remote.stated.get(dev)
        moved = stated is not None and stated > self.release.final and \
            self.release.tag in remote.contains.get(dev, frozenset())
        return done_or(moved, "moved", "not moved")

    def apply(self, runner: Runner) -> None:
        s, tag, root = self.settings, self.release.tag, self.root
        runner.switch(s.dev_branch)
        if not runner.reads.is_ancestor(tag, s.dev_branch):
            merged = runner.git("merge", "--no-ff", "--quiet", "-m",
                                f"{TOOL_PREFIX}merge {tag} back", tag, check=False)
            runner.confirm(lambda: merge_went(runner, merged, tag, s.dev_branch,
                                              self.state.changelog,
                                              str(self.release.version)))
        committed = stated_at(runner.reads, s.dev_branch)
        if committed is None or committed <= self.release.final:
            # the files may state the next version already: written by a run killed before
            # it committed them
            stated = next((x.value for x in versions.find_sites(root, self.state.package)
                           if x.path == "pyproject.toml"), str(self.release.final))
            changed = write_version(runner, root, self.state.package, self.next, stated,
                                    s.sites)
            sites = {x.path for x in self.state.sites if (root / x.path).exists()}
            runner.git("add", "--", *sorted({*changed, *sites}))
            staged = runner.probe(lambda: not runner.reads.run("diff", "--cached", "--quiet",
                                                               check=False).ok, assume=True)
            if staged:
                runner.git("commit", "--quiet", "-m", f"{TOOL_PREFIX}start {self.next}")
        runner.git("push", "--quiet", s.remote, f"refs/heads/{s.dev_branch}")
