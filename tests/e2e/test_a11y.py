"""The accessibility check itself: a page breaking every rule is refused with every offender
named, and a page keeping them passes, so the story's green run means something."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.a11y import check_page, page_problems

BAD = """<!doctype html><html lang="zh-Hans"><head><style>
.skip { position: absolute; left: -999px; } a:focus { outline: none; }
.pale { color: #aaa; }
</style></head><body><a class="skip" href="#main">跳到正文</a>
<main id="main"><h1>一</h1><h3>三</h3><h1>又一</h1><img src="door.jpg">
<input name="q"><select name="s"><option>x</option></select>
<details><summary>展开</summary><textarea name="t"></textarea></details>
<label>姓名 <input name="ok"></label><a href="/x"></a><button type="submit"></button>
<p class="pale">浅灰色的字</p></main></body></html>"""

GOOD = """<!doctype html><html lang="zh-Hans"><head><style>
.skip { position: absolute; left: -999px; } .skip:focus { left: 8px; top: 8px; }
a:focus-visible { outline: 3px solid #0b57d0; }
</style></head><body><a class="skip" href="#main">跳到正文</a>
<main id="main"><h1>一</h1><h2>二</h2><h3>三</h3><img src="door.jpg" alt="新单元门">
<label for="q">搜索</label><input id="q" name="q"><input aria-label="电话" name="p">
<a href="/x">更多</a><button type="submit" aria-label="关闭">×</button></main></body></html>"""


def test_a_page_breaking_each_rule_is_refused_with_every_offender(browser: Any) -> None:
    page = browser.new_page()
    page.set_content(BAD)
    problems = "\n".join(page_problems(page))
    for expected in (
        "form control without a label: input[name=q]",
        "form control without a label: select[name=s]",
        "form control without a label: textarea[name=t]",
        "the page has 2 h1 headings",
        "heading skips a level (h1 to h3)",
        "image without alt: door.jpg",
        "link or button without text: a[href=/x]",
        "link or button without text: button",
        'contrast 2.32:1 (rgb(170, 170, 170) on rgb(255, 255, 255)): p "浅灰色的字"',
        'the first Tab focuses a "跳到正文", which is off screen',
        'the first Tab focuses a "跳到正文", which shows no focus outline',
    ):
        assert expected in problems
    assert "input[name=ok]" not in problems
    with pytest.raises(AssertionError, match="accessibility problems on"):
        check_page(page)
    page.close()


def test_a_page_keeping_the_rules_passes(browser: Any) -> None:
    page = browser.new_page()
    page.set_content(GOOD)
    check_page(page)
    page.close()
