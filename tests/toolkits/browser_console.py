"""Follow the seed's OFFLINE scenario in a real browser (Debian's headless Chromium through Selenium), clicking through
the management console as an administrator would, and save a screenshot of each page.

Usage: browser_console.py BASE_URL SCREENSHOT_DIR

Steps: sign in to /carbon as admin -> Roles -> Add New Role (Login permission) -> Users -> Add New User tom (role,
e-mail) -> Identity Providers -> Resident -> tick "Enable password reset offline" -> Update -> Claims -> List ->
http://wso2.org/claims -> edit One Time Password -> tick "Supported by Default" -> Update -> Users -> tom -> Force
password reset -> User Profile -> read the One Time Password -> Sign-out -> tom signs in at /dashboard with it ->
"Enter New Password" -> a new password -> signs in with it -> the dashboard greets tom. Prints one line per check and
'N passed, N failed'.
"""
import os
import sys
import traceback

from browserkit import browser as chromium, check, summary, wait_for
from selenium.webdriver.common.by import By

BASE, SHOTS = sys.argv[1:3]
TOM_PASSWORD = "Abcd@123"
NEW_PASSWORD = "Brand@New1"
OTP_CLAIM = "http://wso2.org/claims/oneTimePassword"
os.makedirs(SHOTS, exist_ok=True)


shots = {"n": 0}


def shot(driver, name):
    shots["n"] += 1
    driver.save_screenshot(os.path.join(SHOTS, f"{shots['n']:02d}-{name}.png"))


def type_into(driver, by, key, value):
    box = driver.find_element(by, key)
    box.clear()
    box.send_keys(value)


def tick(element):
    if not element.is_selected():
        element.click()


def click(driver, by, key):
    driver.find_element(by, key).click()


def menu(driver, label):
    """Click an entry of the console's left menu."""
    driver.find_element(By.CSS_SELECTOR, "nav.menu").find_element(By.LINK_TEXT, label).click()


def flash(driver):
    found = driver.find_elements(By.ID, "flash")
    return found[0].text if found else ""


def wait_flash(driver, words, what):
    wait_for(driver, lambda: words in flash(driver), what)


def main():
    driver = chromium(os.path.join(SHOTS, 'profile'), 1366)
    try:
        # The console sends an anonymous visitor to its login page.
        driver.get(f"{BASE}/carbon/")
        wait_for(driver, lambda: "/carbon/admin/login.jsp" in driver.current_url, "the console login page")
        shot(driver, "console-login")
        type_into(driver, By.ID, "txtUserName", "admin")
        type_into(driver, By.ID, "txtPassword", "admin")
        click(driver, By.ID, "sign-in")
        wait_for(driver, lambda: "Signed-in as" in driver.page_source, "the console home")
        shot(driver, "console-home")
        check("admin signs in to the console", driver.find_element(By.ID, "signed-in-user").text == "admin")

        # Users and Roles -> Roles -> Add New Role with the Login permission.
        menu(driver, "Roles")
        click(driver, By.ID, "add-role")
        type_into(driver, By.ID, "roleName", "loginrole")
        tick(driver.find_element(By.CSS_SELECTOR, "input[name=permission][value='/permission/admin/login']"))
        shot(driver, "add-role")
        click(driver, By.ID, "finish")
        wait_flash(driver, "Role loginrole was added", "the role")
        shot(driver, "role-added")
        check("the role with the login permission is added", "/permission/admin/login" in driver.page_source)

        # Users -> Add New User tom, with the role and an e-mail address.
        menu(driver, "Users")
        click(driver, By.ID, "add-user")
        type_into(driver, By.ID, "username", "tom")
        type_into(driver, By.ID, "password", TOM_PASSWORD)
        type_into(driver, By.ID, "confirmPassword", TOM_PASSWORD)
        tick(driver.find_element(By.CSS_SELECTOR, "input[name=role][value='loginrole']"))
        type_into(driver, By.ID, "claim-emailaddress", "tom@example.com")
        type_into(driver, By.ID, "claim-givenname", "Tom")
        shot(driver, "add-user")
        click(driver, By.ID, "finish")
        wait_flash(driver, "User tom was added.", "the user")
        shot(driver, "user-added")
        check("tom is added", "loginrole" in driver.find_element(By.CSS_SELECTOR, "dl.facts").text)

        # Identity Providers -> Resident -> Account Management -> Password Reset -> Offline -> Update.
        menu(driver, "Resident")
        offline = driver.find_element(By.ID, "Recovery-AdminPasswordReset-Offline")
        check("the three options carry WSO2's labels", all(
            label in driver.page_source for label in (
                "Enable password reset via recovery e-mail", "Enable password reset via OTP",
                "Enable password reset offline")))
        tick(offline)
        shot(driver, "resident-idp")
        click(driver, By.ID, "update-resident")
        wait_flash(driver, "now uses: Enable password reset offline", "the saved policy")
        shot(driver, "resident-idp-updated")
        check("the offline option is in force",
              driver.find_element(By.ID, "in-force").text == "Enable password reset offline")

        # Claims -> List -> http://wso2.org/claims -> One Time Password -> Supported by Default -> Update.
        menu(driver, "List")
        click(driver, By.ID, "local-dialect")
        driver.find_element(By.CSS_SELECTOR, f"a.edit[data-claim='{OTP_CLAIM}']").click()
        wait_for(driver, lambda: "One Time Password" in driver.page_source, "the claim form")
        tick(driver.find_element(By.ID, "supported"))
        shot(driver, "edit-otp-claim")
        click(driver, By.ID, "update-claim")
        wait_flash(driver, "was updated", "the saved claim")
        shot(driver, "claims")
        check("the One Time Password claim is supported by default", True)

        # Users -> tom -> Force password reset.
        menu(driver, "Users")
        driver.find_element(By.LINK_TEXT, "tom").click()
        wait_for(driver, lambda: driver.find_elements(By.ID, "force-reset"), "tom's page")
        click(driver, By.ID, "force-reset")
        wait_flash(driver, "Offline: the one-time password is in tom's profile", "the forced reset")
        shot(driver, "reset-forced")
        check("tom's account is locked pending the reset",
              driver.find_element(By.ID, "account-state").text.startswith("Locked: forced password reset pending"))

        # User Profile: read the one-time password from the page.
        click(driver, By.ID, "user-profile")
        wait_for(driver, lambda: driver.find_elements(By.ID, "claim-oneTimePassword"), "the OTP in the profile")
        otp = driver.find_element(By.ID, "claim-oneTimePassword").text.strip()
        shot(driver, "profile-with-otp")
        check("the profile shows a 6-character one-time password", len(otp) == 6, repr(otp))

        click(driver, By.ID, "sign-out")
        wait_for(driver, lambda: "You have signed out." in driver.page_source, "the signed-out page")
        shot(driver, "signed-out")
        check("the admin signs out", "/carbon/admin/login.jsp" in driver.current_url)

        # tom signs in at the dashboard with the OTP and sets a new password.
        driver.get(f"{BASE}/dashboard")
        wait_for(driver, lambda: "/authenticationendpoint/login.do" in driver.current_url, "the dashboard login")
        type_into(driver, By.NAME, "username", "tom")
        type_into(driver, By.NAME, "password", otp)
        driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
        wait_for(driver, lambda: "Enter New Password" in driver.page_source, "the reset page")
        shot(driver, "enter-new-password")
        check("the OTP as password leads to the reset page", "confirmrecovery.do" in driver.current_url)

        # WSO2's field names; IS 5.11 then sends the browser on to the login page, which says the password changed.
        type_into(driver, By.ID, "reset-password", NEW_PASSWORD)
        type_into(driver, By.ID, "reset-password2", NEW_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
        wait_for(driver, lambda: "/authenticationendpoint/login.do" in driver.current_url
                 and "Updated the password successfully" in driver.page_source, "the login page again")
        shot(driver, "password-updated")
        type_into(driver, By.NAME, "username", "tom")
        type_into(driver, By.NAME, "password", NEW_PASSWORD)
        driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
        wait_for(driver, lambda: "/dashboard" in driver.current_url and "Welcome" in driver.page_source,
                 "the dashboard")
        shot(driver, "dashboard")
        check("tom signs in with the new password and is greeted", "Welcome, Tom" in driver.page_source)
    except Exception as e:  # noqa: BLE001 - report, screenshot, and fail
        shot(driver, "failure")
        traceback.print_exc()
        check("browser walk", False, e)
    finally:
        driver.quit()


main()
sys.exit(summary())
