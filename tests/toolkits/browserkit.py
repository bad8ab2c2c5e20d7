"""Shared by the Selenium scripts: Debian's headless Chromium with an explicit driver (no downloads), the check
counter that prints 'N passed, N failed', and waiting for a page condition."""
import os
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + str(detail)[:500]}")
    return ok


def browser(profile_dir, width=1280):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--ignore-certificate-errors", f"--window-size={width},900",
    ):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    # An explicit driver path: Selenium Manager must not try to download anything.
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def wait_for(driver, predicate, what, seconds=30):
    # Generous: on two busy cores several Chromiums start at once; the wait ends as soon as the page is there.
    end = time.time() + seconds
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; at {driver.current_url}")


def summary():
    """Print the closing line and return the exit code."""
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0
