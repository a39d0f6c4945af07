"""The reference story's browser helpers: people's browser contexts, screenshots for the user
guide, and the accessibility check of every page the story sees."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qinlin.people.models import Person
from tests.e2e.a11y import check_page
from tests.e2e.test_appeal_story import PASSWORD


@dataclass
class Story:
    browser: Any
    url: str
    shots: Path
    pages: list[Any] = field(default_factory=list)
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    def person(self, person: Person, *, width: int) -> Any:
        """`person`'s own browser context, logged in with PASSWORD, `width` pixels wide."""
        context = self.browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(10_000)
        self.pages.append(page)
        self.go(page, "/accounts/login/")
        page.fill("input[name=username]", person.phone)
        page.fill("input[name=password]", PASSWORD)
        self.submit(page, "main form")
        return page

    def go(self, page: Any, path: str) -> str:
        page.goto(f"{self.url}{path}")
        return self.seen(page)

    def submit(self, page: Any, form: str) -> str:
        page.locator(form).locator("button[type=submit]").first.click()
        page.wait_for_load_state()
        return self.seen(page)

    def click(self, page: Any, selector: str) -> str:
        page.click(selector)
        page.wait_for_load_state()
        return self.seen(page)

    def seen(self, page: Any) -> str:
        """What the person reads in the page's main part, once the page passed the
        accessibility check (every page the story sees: each stage of a topic differs)."""
        self.check(page)
        return str(page.inner_text("main"))

    def check(self, page: Any) -> None:
        # Collected, not raised at once: one run lists every page's problems.
        self.checked += 1
        try:
            check_page(page)
        except AssertionError as error:
            self.problems.append(str(error))

    def shot(self, page: Any, name: str) -> None:
        """A screenshot of a major step; the user guide keeps it under its stable name."""
        page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def finish(self) -> None:
        for kept, prefix in (("QINLIN_SHOTS", "story-"), ("QINLIN_GUIDE_SHOTS", "")):
            if keep := os.environ.get(kept):
                Path(keep).mkdir(parents=True, exist_ok=True)
                for shot in self.shots.glob("*.png"):
                    shutil.copy(shot, Path(keep) / f"{prefix}{shot.name}")
        for page in self.pages:
            page.context.close()
        assert not self.problems, "\n".join(self.problems)
