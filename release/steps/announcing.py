"""What a final release shows the world after its tag: the book deployed with its release
manifest, the bundle (notes, distributions, sums, gates report, checklist, announcement, the
manifest), and the GitHub release made of it.
"""

from __future__ import annotations

from pathlib import Path

from tinyrelease.book.manifest import MANIFEST
from tinyrelease.release import bookdeploy, changelog, index
from tinyrelease.release.bundle import CHECKLIST, RECORD, announcement, write_bundle
from tinyrelease.release.checklist import checklist_text, latest_report
from tinyrelease.release.model import Status
from tinyrelease.release.runner import Arg, Runner, Shown
from tinyrelease.release.state import gates_dir
from tinyrelease.release.steps.base import FinalStep, Verdict, done_or
from tinyrelease.release.survey import dists_in

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class BundleStep(FinalStep):
    key = "bundle"

    @property
    def title(self) -> str:
        return f"release bundle in build/release/{self.release.tag}/"

    def judge(self) -> Verdict:
        return done_or(self.snapshot.seen.bundle, "written", "not written")

    def manifest(self) -> str | None:
        """The release manifest of the deployed site: as the book step wrote it here, else
        (another checkout deployed it) as the Pages branch holds it."""
        s, built = self.settings, self.folder / "book" / "html" / MANIFEST
        if not s.book:
            return None
        if built.is_file():
            return built.read_text(encoding="utf-8")
        return bookdeploy.manifest_text(self.root, s.book_remote or s.remote, s.book_branch,
                                        s.pages_prefix)

    def apply(self, runner: Runner) -> None:
        site = f", {MANIFEST} (the deployed site's)" if self.settings.book else ""
        runner.act(f"write the release bundle into {self.folder}: notes.md, ANNOUNCEMENT.md, "
                   f"the wheel and sdist, gates-report.json, {CHECKLIST}, {RECORD} (the "
                   f"evidence){site}, SHA256SUMS last", self._write)

    def _write(self) -> None:
        state, release, version = self.state, self.release, str(self.release.version)
        notes = changelog.section(state.root, state.changelog, version) or ""
        notes = notes if notes.strip() else f"{state.project} {version}\n"
        spec = state.settings.repository
        index_url = index.resolve(spec).simple_url if spec else None
        write_bundle(self.folder, notes, dists_in(self.folder, version),
                     latest_report(self.folder),
                     announcement(state.project, version, notes, index_url),
                     checklist_text(state, release), self.record(), self.manifest())

    def record(self) -> dict[str, object]:
        """What was released, from which commit, by which flow, on what evidence."""
        state, release, evidence = self.state, self.release, self.snapshot.seen.evidence
        return {"project": state.project, "version": str(release.version), "tag": release.tag,
                "commit": self.snapshot.tagged, "kind": str(release.kind),
                "flow": "direct" if release.direct else "hotfix" if release.kind == "hotfix"
                else "rc", "changelog": state.changelog.kind if state.changelog else None,
                "gates": evidence.record() if evidence is not None else None}


class PublishStep(FinalStep):
    """The GitHub release of the bundle: published, or a draft a person publishes
    (`github_release`), or none."""

    key = "publish"

    @property
    def draft(self) -> bool:
        return self.settings.github_release == "draft"

    @property
    def title(self) -> str:
        return "GitHub release" + (" (draft)" if self.draft else "")

    def judge(self) -> Verdict:
        seen = self.snapshot.seen
        if self.settings.github_release == "off":
            return Status.SKIPPED, 'off: github_release = "off" in [tool.tinyrelease.release]'
        if seen.publisher_missing:
            return Status.SKIPPED, seen.publisher_missing
        if self.draft:
            return done_or(seen.published, "draft created", "no draft yet")
        return done_or(seen.published, "published", "not published")

    def apply(self, runner: Runner) -> None:
        folder, release, title, draft = self.folder, self.release, \
            f"{self.state.project} {self.release.version}", self.draft

        def publish() -> None:
            sums = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
            assets = [folder / line.split("  ", 1)[1] for line in sums if "  " in line]
            runner.publisher.create(release.tag, title, folder / "notes.md",
                                    [*assets, folder / "SHA256SUMS"], False, draft=draft)

        what = "create the draft GitHub release" if draft else "publish the GitHub release"
        runner.act(f"{what} {release.tag} ({title}): {folder / 'notes.md'} and the files "
                   f"{folder / 'SHA256SUMS'} lists", publish)


class BookStep(FinalStep):
    """The book of the release, built from its tag's commit, with the release manifest at the
    root of its site, deployed into the Pages folder (or the root) of the book branch. A
    blocked book never holds back the steps after it."""

    key = "book"

    @property
    def title(self) -> str:
        return f"book deployed to {self.settings.book_site} with {MANIFEST}"

    def judge(self) -> Verdict:
        seen = self.snapshot.seen
        if not self.settings.book:
            return Status.SKIPPED, "off: book = false in [tool.tinyrelease.release]"
        if not seen.book_deployable:
            return Status.BLOCKED, "book deploy not available"
        return done_or(seen.book_deployed, "deployed", "not deployed")

    def apply(self, runner: Runner) -> None:
        s, gates, release = self.settings, self.snapshot.seen.gates, self.release
        runner.switch(self.snapshot.tagged_ref)
        # the book refuses a release without a passing gates report: --force only when the
        # maintainer skipped the gates (the gates step before this one passed, or stopped)
        passed = gates == "pass" or (gates is None and not self.request.skip_gates)
        report = gates_dir(self.folder, self.snapshot.gated) / "report.json"
        shown = Shown(str(report), str(self.gates_shown / "report.json"))
        commit = self.state.tags.get(release.tag, self.snapshot.tagged)
        manifest: list[Arg] = [f"project={self.state.project}", f"version={release.version}",
                               f"tag={release.tag}", Shown(f"commit={commit}", "commit=<commit>")]
        done = runner.run(bookdeploy.command(self.root, s.book_remote or s.remote,
                                             s.book_branch, s.pages_prefix, self.folder / "book",
                                             shown if passed else None, manifest),
                          cwd=PROJECT_ROOT, timeout=1800, trusted=True)  # it pushes the book
        runner.confirm(lambda: bookdeploy.require(done, release.tag))
