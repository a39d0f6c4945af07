"""Accessibility basics checked in the browser, written here instead of fetching axe-core.

`check_page(page)` fails with the list of offenders when a page has a form control without an
accessible name, headings out of order or not exactly one h1, an image without alt, a link or
button without text, text below the WCAG AA contrast ratio, or when the keyboard's first Tab
does not land on a visible "skip to content" link (or the first control) with a visible focus
ring. The rules are WCAG 2.1 AA's simplest ones (1.1.1, 1.3.1, 1.4.3, 2.1.1, 2.4.1, 2.4.7,
4.1.2); they catch regressions, they do not replace a person with a screen reader.
"""

from __future__ import annotations

from typing import Any

# Runs in the page (page.evaluate goes through the DevTools protocol, so the page's CSP, which
# forbids inline scripts, does not apply). Returns a list of "rule: offender" strings.
STATIC_CHECKS = r"""
() => {
  const problems = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.name) s += '[name=' + el.name + ']';
    else if (el.getAttribute('href')) s += '[href=' + el.getAttribute('href') + ']';
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 30);
    return text ? s + ' "' + text + '"' : s;
  };
  const hidden = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const st = getComputedStyle(n);
      if (st.display === 'none' || n.hidden) return true;
      if (n.getAttribute('aria-hidden') === 'true') return true;
    }
    return false;
  };
  const labelledBy = (el) => (el.getAttribute('aria-labelledby') || '').split(/\s+/)
    .map((id) => document.getElementById(id)).filter(Boolean)
    .map((n) => n.textContent.trim()).join('');
  const textOf = (el) => {
    let t = (el.getAttribute('aria-label') || '').trim() || labelledBy(el);
    if (t) return t;
    if (el.tagName === 'INPUT') return (el.value || '').trim();
    t = (el.innerText || el.textContent || '').trim();
    if (t) return t;
    for (const img of el.querySelectorAll('img[alt]')) t += img.alt.trim();
    return t || (el.getAttribute('title') || '').trim();
  };

  const skip = ['hidden', 'submit', 'button', 'image', 'reset'];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.tagName === 'INPUT' && skip.includes(el.type)) continue;
    if (hidden(el)) continue;
    const labelled = [...el.labels].some((l) => l.textContent.trim())
      || (el.getAttribute('aria-label') || '').trim() || labelledBy(el);
    if (!labelled) problems.push('form control without a label: ' + describe(el));
  }

  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
    .filter((h) => !hidden(h));
  const ones = headings.filter((h) => h.tagName === 'H1').length;
  if (ones !== 1) problems.push('the page has ' + ones + ' h1 headings, not exactly one');
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) {
      problems.push('heading skips a level (h' + previous + ' to h' + level + '): ' + describe(h));
    }
    previous = level;
  }

  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) {
      problems.push('image without alt: ' + (img.getAttribute('src') || ''));
    }
  }
  const actions = 'a[href], button, input[type=submit], input[type=button]';
  for (const el of document.querySelectorAll(actions)) {
    if (hidden(el)) continue;
    if (!textOf(el)) problems.push('link or button without text: ' + describe(el));
  }

  // Contrast (WCAG 1.4.3): 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
  const rgba = (s) => {
    const m = s.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const background = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  const luminance = ([r, g, b]) => {
    const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
  };
  const texts = [...document.querySelectorAll('body *')].filter((el) =>
    [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
    && !hidden(el) && el.getClientRects().length && !el.closest('svg, [disabled], .skip'));
  for (const el of texts.slice(0, 2000)) {
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || Number(st.opacity) === 0) continue;
    const bg = background(el);
    const fg = rgba(st.color);
    const mixed = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const [l1, l2] = [luminance(mixed), luminance(bg)].sort((a, b) => b - a);
    const ratio = (l1 + 0.05) / (l2 + 0.05);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) {
      problems.push('contrast ' + ratio.toFixed(2) + ':1 (' + st.color + ' on rgb(' +
        bg.slice(0, 3).join(', ') + ')): ' + describe(el));
    }
  }
  return problems;
}
"""

# Puts the keyboard's starting point at the top of the body (as on a fresh load) without
# reloading the page, whose state (a message, an open form) the story still needs.
KEYBOARD_START = """
() => {
  const start = document.createElement('span');
  start.tabIndex = -1;
  start.id = 'a11y-start';
  document.body.prepend(start);
  start.focus();
}
"""

FOCUSED = r"""
() => {
  document.getElementById('a11y-start')?.remove();
  const el = document.activeElement;
  if (!el || el === document.body) return {problem: 'the first Tab focuses nothing'};
  const rect = el.getBoundingClientRect();
  const st = getComputedStyle(el);
  const focusables = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]')]
    .filter((n) => n.tabIndex >= 0 && n.getClientRects().length);
  const isSkip = el.tagName === 'A' && (el.getAttribute('href') || '').startsWith('#');
  const result = {
    what: el.tagName.toLowerCase() + ' "' + (el.textContent || '').trim().slice(0, 30) + '"',
    visible: rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.bottom > 0
      && rect.left < innerWidth && rect.top < innerHeight,
    first: isSkip || el === focusables[0],
    ring: (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0)
      || (st.boxShadow && st.boxShadow !== 'none'),
  };
  el.blur();
  return result;
}
"""


def keyboard_problems(page: Any) -> list[str]:
    """The first Tab lands on the skip link (or the first control), which shows; it and the
    next stop show a focus ring."""
    problems = []
    for stop in ("first", "second"):
        page.evaluate(KEYBOARD_START)
        page.keyboard.press("Tab")
        if stop == "second":
            page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if "problem" in focused:
            return [f"keyboard: {focused['problem']}"]
        what = f"the {stop} Tab focuses {focused['what']}"
        if stop == "first" and not focused["first"]:
            problems.append(f"keyboard: {what}, not a skip link or the first control")
        if not focused["visible"]:
            problems.append(f"keyboard: {what}, which is off screen")
        if not focused["ring"]:
            problems.append(f"keyboard: {what}, which shows no focus outline")
    return problems


def page_problems(page: Any) -> list[str]:
    problems: list[str] = page.evaluate(STATIC_CHECKS)
    return problems + keyboard_problems(page)


def check_page(page: Any) -> None:
    """Fail, listing every offender, when the page breaks one of the basics above."""
    problems = page_problems(page)
    if problems:
        listed = "\n  ".join(dict.fromkeys(problems))
        raise AssertionError(f"accessibility problems on {page.url}:\n  {listed}")
