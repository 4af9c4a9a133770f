"""The keyboard focus is always visible (WCAG 2.2: 2.4.7, and 1.4.11's 3:1 for what shows it):
an officer tabs through the inbox, a task form to its outcome buttons and their dialog, and a
form page on a phone with its menu button; for every control reached, the ring's colour is read
from the browser (outline, else box-shadow) with the colour behind it, and must contrast at
least 3:1 and be at least 2 px wide, and not be cut off by a box that clips its content.

The check is proven able to fail: with the app's focus rule taken out of app.css (the browser
gets the stylesheet without it), Pico's own faint ring is what remains, and it fails."""

import re

import pytest

from tests.support.cases import start, task_of

DESK = (1366, 768)
PHONE = (390, 844)
MIN_CONTRAST = 3.0
MIN_WIDTH = 2.0

# What the browser draws around the focused element and what lies behind it. The colours behind
# are every ancestor's background from the nearest up to the first opaque one (rows of a
# striped table are translucent over the page). A ring is clipped when an ancestor that clips
# its overflow (a scrolling table, a card) or the screen's edge cuts it.
RING = """async () => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // A ring that fades in (Pico's box-shadow has a transition), once fully in.
  const fading = el.getAnimations().filter(a => /^(outline|box-shadow)/.test(a.transitionProperty || ''));
  await Promise.all(fading.map(a => a.finished));
  const cs = getComputedStyle(el);
  const behind = [];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    behind.push(c);
    if (/^rgb\\(/.test(c)) break;
  }
  const named = n => n.tagName.toLowerCase() + (n.id ? '#' + n.id : '')
    + (n.className ? '.' + String(n.className).trim().split(/\\s+/).join('.') : '');
  const outside = cs.outlineStyle === 'none' ? 0
    : parseFloat(cs.outlineWidth) + Math.max(0, parseFloat(cs.outlineOffset));
  const r = el.getBoundingClientRect();
  const ring = {l: r.left - outside, t: r.top - outside, r: r.right + outside, b: r.bottom + outside};
  let clipped = (ring.l < -0.5 || ring.r > window.innerWidth + 0.5) ? 'the screen' : null;
  for (let n = el.parentElement; n && n !== document.body && !clipped; n = n.parentElement) {
    const s = getComputedStyle(n);
    if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
    const c = n.getBoundingClientRect();
    if (ring.l < c.left - .5 || ring.r > c.right + .5 || ring.t < c.top - .5 || ring.b > c.bottom + .5)
      clipped = named(n);
  }
  const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim();
  return {
    kind: el.tagName.toLowerCase() + (el.tagName === 'INPUT' ? '[' + el.type + ']' : ''),
    label: named(el) + ' "' + text.slice(0, 40) + '"',
    outline: [cs.outlineStyle, cs.outlineWidth, cs.outlineColor, cs.outlineOffset],
    shadow: cs.boxShadow, own: cs.backgroundColor, behind: behind, clipped: clipped,
  };
}"""
# Marks each control the first time it has the focus: a round ends when Tab comes back to one.
SEEN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return 'body';
  if (el.hasAttribute('data-tab-seen')) return 'again';
  el.setAttribute('data-tab-seen', '');
  return 'new';
}"""
FORGET = "() => document.querySelectorAll('[data-tab-seen]').forEach(e => e.removeAttribute('data-tab-seen'))"


def colour(text: str) -> tuple[float, float, float, float]:
    """A computed CSS colour, rgb() or rgba(), as (r, g, b, alpha)."""
    found = re.match(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", text.strip())
    assert found, f"not a computed colour: {text!r}"
    r, g, b, a = found.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def over(top: tuple, bottom: tuple) -> tuple[float, float, float, float]:
    """`top` painted over an opaque `bottom`."""
    a = top[3]
    return tuple(top[i] * a + bottom[i] * (1 - a) for i in range(3)) + (1.0,)


def luminance(c: tuple) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour."""

    def linear(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2])


def contrast(a: tuple, b: tuple) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def backdrop(behind: list[str]) -> tuple:
    """The colour the page shows behind the element: its ancestors' backgrounds, nearest on top."""
    result = (255.0, 255.0, 255.0, 1.0)  # the canvas
    for text in reversed(behind):
        result = over(colour(text), result)
    return result


def shadow_ring(shadow: str) -> tuple[tuple, float] | None:
    """The widest solid ring among the box-shadows (no offset, no blur: colour and spread)."""
    best = None
    for part in re.split(r",(?![^()]*\))", shadow):
        found = re.match(r"\s*(rgba?\([^)]*\))\s+0px\s+0px\s+0px\s+([\d.]+)px", part)
        if not found or float(found.group(2)) == 0 or colour(found.group(1))[3] == 0:
            continue
        if best is None or float(found.group(2)) > best[1]:
            best = (colour(found.group(1)), float(found.group(2)))
    return best


def ring_problems(info: dict) -> list[str]:
    """What is wrong with the focus ring of one control, empty when nothing is."""
    style, width, ring_colour, offset = info["outline"]
    behind = backdrop(info["behind"])
    own = over(colour(info["own"]), behind)
    if style != "none" and float(width[:-2]) > 0:
        ring, wide, gap = colour(ring_colour), float(width[:-2]), float(offset[:-2])
    elif (found := shadow_ring(info["shadow"])) is not None:
        (ring, wide), gap = found, 0.0
    else:
        return [f"{info['label']}: no focus ring"]
    ring = over(ring, behind)
    # Outside, the ring meets what is behind the element; inside, the element itself unless the
    # offset leaves a gap of the background between them.
    neighbours = [behind] + ([own] if gap <= 0 else [])
    worst = min(contrast(ring, n) for n in neighbours)
    problems = []
    if wide < MIN_WIDTH:
        problems.append(f"{info['label']}: ring {wide:g} px wide")
    if worst < MIN_CONTRAST:
        problems.append(f"{info['label']}: ring contrast {worst:.2f}:1")
    if info["clipped"]:
        problems.append(f"{info['label']}: ring cut off by {info['clipped']}")
    return problems


def tab_round(page, limit: int = 200) -> list[dict]:
    """Press Tab until the focus comes back to a control it already had; what each one showed."""
    page.evaluate(FORGET)
    reached = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = page.evaluate(SEEN)
        if state == "again":
            return reached
        if state == "new":
            reached.append(page.evaluate(RING))
    pytest.fail(f"Tab did not come round in {limit} presses")


def assert_rings(reached: list[dict], kinds: set[str]) -> None:
    missing = kinds - {r["kind"] for r in reached}
    assert not missing, f"not reached by Tab: {missing}"
    problems = [p for r in reached for p in ring_problems(r)]
    assert problems == [], "\n".join(problems)


def test_the_contrast_arithmetic_is_wcags():
    white, black = colour("rgb(255, 255, 255)"), colour("rgb(0, 0, 0)")
    assert contrast(white, black) == pytest.approx(21.0)
    assert contrast(colour("rgb(118, 118, 118)"), white) == pytest.approx(4.54, abs=0.01)
    assert over(colour("rgba(0, 0, 0, 0.5)"), white)[0] == pytest.approx(127.5)
    assert shadow_ring("rgba(2, 154, 232, 0.5) 0px 0px 0px 1.875px, rgb(0, 0, 0) 0px 1px 2px 0px")[1] == 1.875


def test_every_control_of_the_inbox_shows_a_strong_ring(world, live, page_for):
    for name in ("Nguyễn Thị Lan", "Trần Văn Bình"):
        start(world.police, world.resident(name=name))
    police = page_for("police_a", size=DESK)
    police.goto(f"{live}/?scope=queue")
    # the skip link, the menu's links and buttons, the filters (radios, search, selects, a
    # checkbox), the counts, the rows' links and "Nhận việc" and the assign select
    kinds = {"a", "button", "input[radio]", "input[search]", "select", "input[checkbox]"}
    assert_rings(tab_round(police), kinds)


def test_a_task_form_shows_the_ring_on_each_field_and_outcome_button_and_in_its_dialog(world, live, page_for):
    code = start(world.police, world.resident())
    police = page_for("police_a", size=DESK)
    police.goto(f"{live}/tasks/{task_of(code, 'verify_application').id}")
    reached = tab_round(police)
    outcomes = [r for r in reached if r["label"].startswith("button") and "Từ chối" in r["label"]]
    assert outcomes, "the refusing outcome button was not reached by Tab"
    kinds = {"a", "button", "input[text]", "select", "input[checkbox]", "textarea", "input[radio]"}
    assert_rings(reached, kinds)
    # The refusing button opens its dialog from the keyboard: its select and its red button.
    police.focus("#task-form .outcomes button[value=refuse]")
    police.keyboard.press("Enter")
    police.wait_for_selector("#confirm-refuse[open]")
    in_dialog = tab_round(police)
    assert {"select", "button"} <= {r["kind"] for r in in_dialog}
    assert any("danger" in r["label"] for r in in_dialog)
    assert_rings(in_dialog, {"select", "button"})


def test_on_a_phone_the_menu_button_and_a_form_page_show_a_strong_ring(world, live, page_for):
    police = page_for("police_a", size=PHONE)
    police.goto(f"{live}/cooperation/new")
    reached = tab_round(police)
    assert any("menu-toggle" in r["label"] for r in reached), "the menu button was not reached by Tab"
    assert_rings(reached, {"a", "button", "input[text]", "select", "textarea"})
    # The menu opened from the keyboard: its links, one under the other.
    police.focus(".menu-toggle")
    police.keyboard.press("Enter")
    police.wait_for_selector("body.menu-open")
    in_menu = tab_round(police)
    assert any("Hộp công việc" in r["label"] for r in in_menu)
    assert_rings(in_menu, {"a", "button"})


def without_focus_rule(css: str) -> str:
    """app.css without its rules for :focus-visible (what a careless edit would leave)."""
    stripped = re.sub(r"[^{}]*:focus-visible[^{}]*\{[^}]*\}", "", css)
    assert stripped != css
    return stripped


def test_the_check_fails_when_the_app_focus_rule_is_gone(world, live, page_for):
    start(world.police, world.resident())
    police = page_for("police_a", size=DESK)
    stripped = without_focus_rule(police.request.get(f"{live}/static/css/app.css").text())
    police.route("**/css/app.css*", lambda route: route.fulfill(body=stripped, content_type="text/css"))
    police.goto(f"{live}/?scope=queue")
    reached = tab_round(police)
    failing = {r["kind"] for r in reached if ring_problems(r)}
    assert {"a", "button", "input[search]", "select"} <= failing
