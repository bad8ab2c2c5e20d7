"""Every page at a desktop and a phone size: a screenshot of each, and a check that nothing is cut off (no sideways
scrolling of the page, no text sticking out of the view unless it sits in a box meant to scroll).

Usage: browser_pages.py PAGES_JSON SCREENSHOT_DIR

PAGES_JSON: {"base": URL, "console": {"username": .., "password": ..}, "user": {"username": .., "password": ..},
             "pages": [{"name": .., "path": .., "as": "anonymous" | "console" | "user",
                        "click": CSS selector of a button to press first (optional)}, ...]}
Prints one line per check and 'N passed, N failed'.
"""
import json
import os
import sys
import tempfile
import traceback

from browserkit import browser as chromium, check, summary, wait_for
from selenium.webdriver.common.by import By

# (name, width, height, strict): at a desktop width nothing may even scroll inside its box.
SIZES = [("desktop", 1280, 800, True), ("phone", 390, 844, False)]

# Elements that stick out of the view although nothing is wrong: inside a box that scrolls or clips on purpose.
OVERFLOW = """
const strict = arguments[0];
const width = window.innerWidth;
const page = document.documentElement.scrollWidth;
const out = [];
const clipped = (el) => {
  for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p);
    if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX) && p !== document.body && p !== document.documentElement) return true;
  }
  return false;
};
for (const el of document.body.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || r.height === 0) continue;
  if (r.right > width + 1 && !clipped(el)) {
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ')[0] : '') + ' right=' + Math.round(r.right));
  }
  if (out.length > 5) break;
}
// At a desktop width even a box meant to scroll should not have to.
if (strict) {
  for (const el of document.body.querySelectorAll('.table-scroll')) {
    if (el.scrollWidth > el.clientWidth + 1) out.push('scrolls: ' + (el.firstElementChild ? el.firstElementChild.id : '') + ' ' + el.scrollWidth + '>' + el.clientWidth);
  }
}
return {width, page, out};
"""


def sign_in(driver, base, kind, creds):
    if kind == "console":
        driver.get(base + "/carbon/admin/login.jsp")
        driver.find_element(By.NAME, "username").send_keys(creds["username"])
        driver.find_element(By.NAME, "password").send_keys(creds["password"])
        driver.find_element(By.CSS_SELECTOR, "form button, form input[type=submit]").click()
        wait_for(driver, lambda: "/carbon/admin/index.jsp" in driver.current_url, "the console's home")
    elif kind == "user":
        driver.get(base + "/dashboard")
        wait_for(driver, lambda: "login.do" in driver.current_url, "the login page")
        driver.find_element(By.NAME, "username").send_keys(creds["username"])
        driver.find_element(By.NAME, "password").send_keys(creds["password"])
        driver.find_element(By.CSS_SELECTOR, "form button, form input[type=submit]").click()
        wait_for(driver, lambda: driver.current_url.endswith("/dashboard"), "the dashboard")


def main():
    spec = json.load(open(sys.argv[1]))
    shots = sys.argv[2]
    os.makedirs(shots, exist_ok=True)
    base = spec["base"]
    for size, width, height, strict in SIZES:
        sessions = {}
        try:
            for kind in ("anonymous", "console", "user"):
                driver = chromium(tempfile.mkdtemp(), width=width)
                driver.set_window_size(width, height)
                # The window size includes the browser's own frame: make the view itself the size asked for.
                inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
                driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
                if kind != "anonymous":
                    sign_in(driver, base, kind, spec[kind])
                sessions[kind] = driver
            for page in spec["pages"]:
                driver = sessions[page.get("as", "anonymous")]
                driver.get(base + page["path"])
                if page.get("click"):
                    # A page that only a form's POST shows (the template preview): press its button.
                    before = driver.current_url
                    driver.find_element(By.CSS_SELECTOR, page["click"]).click()
                    wait_for(driver, lambda: driver.current_url != before, "the page the button leads to")
                name = f"{size}-{page['name']}"
                driver.save_screenshot(os.path.join(shots, name + ".png"))
                found = driver.execute_script(OVERFLOW, strict)
                check(f"{name}: the view is {width} px wide", found["width"] == width, found)
                check(f"{name}: nothing is cut off", found["page"] <= width + 1 and not found["out"], found)
                for text in page.get("contains", []):
                    check(f"{name}: shows {text!r}", text in driver.find_element(By.TAG_NAME, "body").text)
        except Exception:
            traceback.print_exc()
            check(f"{size}: the run", False, traceback.format_exc())
        finally:
            for driver in sessions.values():
                driver.quit()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
