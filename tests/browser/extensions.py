"""The unpacked extension in a real browser, behind one small interface, so that a scenario runs in both.

`ChromiumExtension` drives Debian's chromium through Playwright; `FirefoxExtension` drives Debian's
firefox-esr through Marionette, Firefox's own remote protocol (Playwright cannot drive a stock Firefox).
Both press the real toolbar button, so the browser grants `activeTab` as for a click. A `Tab` is a page
or an extension page in that browser; scripts given to `Tab.evaluate` are JS function expressions taking
one argument, and may return a promise.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
WAIT_SECONDS = 15


class Tab:
    url: str

    def evaluate(self, script: str, arg=None): ...

    def click(self, selector: str): ...

    def fill(self, selector: str, value: str): ...

    def wait_for(self, script: str, arg=None, timeout=WAIT_SECONDS):
        """Waits until `script(arg)` is truthy (it may be async); raises TimeoutError."""
        deadline = time.monotonic() + timeout
        while not self.evaluate(script, arg):
            if time.monotonic() > deadline:
                raise TimeoutError(f"never true: {script}")
            self.pause(0.1)

    def pause(self, seconds: float):
        time.sleep(seconds)

    def text(self, selector: str) -> str:
        return self.evaluate("s => document.querySelector(s).innerText", selector)

    def attribute(self, selector: str, name: str):
        return self.evaluate("([s, n]) => document.querySelector(s).getAttribute(n)", [selector, name])

    def select(self, selector: str, value: str):
        self.click(f"{selector} option[value='{value}']")


# --- Chromium -------------------------------------------------------------------------------------

class ChromiumTab(Tab):
    def __init__(self, page):
        self.page = page

    @property
    def url(self):
        return self.page.url

    def evaluate(self, script, arg=None):
        return self.page.evaluate(script, arg)

    def pause(self, seconds):
        self.page.wait_for_timeout(seconds * 1000)  # keeps Playwright's events flowing, unlike time.sleep

    def click(self, selector):
        self.page.locator(selector).click()

    def fill(self, selector, value):
        self.page.locator(selector).fill(value)

    def select(self, selector, value):
        self.page.locator(selector).select_option(value)


class ChromiumExtension:
    """A persistent Chromium context with the unpacked extension loaded, and its service worker.

    A headless Chromium has no toolbar: the button is pressed through the DevTools protocol
    (`Extensions.triggerAction`, allowed by --enable-unsafe-extension-debugging), which runs the
    action exactly as a click does.
    """

    def __init__(self, context):
        self.context = context
        workers = context.service_workers
        self.worker = workers[0] if workers else context.wait_for_event("serviceworker")
        self.id = self.worker.url.split("/")[2]
        self.base_url = f"chrome-extension://{self.id}/"

    def set_settings(self, **values):
        self.worker.evaluate("values => chrome.storage.local.set(values)", values)

    def settings(self):
        return self.worker.evaluate("() => chrome.storage.local.get(null)")

    def open_page(self, url) -> ChromiumTab:
        page = self.context.new_page()
        page.goto(url)
        return ChromiumTab(page)

    def click_action(self, tab: ChromiumTab) -> ChromiumTab:
        """Presses the toolbar button on `tab`; returns the reader tab it opens."""
        tab.page.bring_to_front()
        browser = self.context.browser.new_browser_cdp_session()
        targets = browser.send("Target.getTargets", {"filter": [{"type": "tab"}]})["targetInfos"]
        (target,) = [t for t in targets if t["url"] == tab.url]
        with self.context.expect_page() as opened:
            browser.send("Extensions.triggerAction", {"id": self.id, "targetId": target["targetId"]})
        opened.value.wait_for_load_state("domcontentloaded")
        return ChromiumTab(opened.value)

    def active_tab_id(self):
        return self.worker.evaluate(
            "async () => (await chrome.tabs.query({active: true, lastFocusedWindow: true}))[0].id")

    def open_reader(self, tab: ChromiumTab) -> ChromiumTab:
        """Calls the worker's `openReader` for `tab`, as the action does but without a click."""
        tab.page.bring_to_front()
        tab_id = self.active_tab_id()
        with self.context.expect_page() as opened:
            self.worker.evaluate("id => { openReader(id); }", tab_id)
        opened.value.wait_for_load_state("domcontentloaded")
        return ChromiumTab(opened.value)


# --- Firefox --------------------------------------------------------------------------------------

# Calls `script(arg)` and reports a rejection as a value, since an async script cannot raise.
ASYNC_WRAPPER = """
const [arg, done] = arguments;
Promise.resolve().then(() => (%s)(arg)).then(value => done({value}), error => done({error: String(error)}));
"""


class FirefoxTab(Tab):
    def __init__(self, marionette, handle):
        self.marionette = marionette
        self.handle = handle

    def _switch(self, select=True):
        """Points Marionette at this tab; `select` also makes it the browser's selected tab."""
        self.marionette.switch_to_window(self.handle, focus=select)

    @property
    def url(self):
        self._switch(select=False)
        return self.marionette.get_url()

    def evaluate(self, script, arg=None):
        self._switch(select=False)  # reading a tab, like Playwright's evaluate, leaves the selection alone
        # sandbox=None: in the page itself, where an extension page has its `chrome` object.
        result = self.marionette.execute_async_script(ASYNC_WRAPPER % script, script_args=[arg], sandbox=None)
        deadline = time.monotonic() + WAIT_SECONDS
        while result is None and time.monotonic() < deadline:
            # No reply at all: the tab navigated while the script ran (a new tab leaving about:blank
            # for its page). Ask again in the document that replaced it.
            self.pause(0.1)
            result = self.marionette.execute_async_script(ASYNC_WRAPPER % script, script_args=[arg], sandbox=None)
        if result is None:
            raise TimeoutError(f"no reply from the tab: {script}")
        if "error" in result:
            raise RuntimeError(f"{script}: {result['error']}")
        return result.get("value")

    def click(self, selector):
        self._switch()
        self.marionette.find_element("css selector", selector).click()

    def fill(self, selector, value):
        self._switch()
        field = self.marionette.find_element("css selector", selector)
        field.clear()
        field.send_keys(value)


class FirefoxExtension:
    """Firefox with the extension installed as a temporary add-on, driven through Marionette.

    The toolbar button is pressed in Marionette's chrome context (allowed by
    --remote-allow-system-access) with `doCommand()`, a user action for Firefox: `activeTab` is
    granted as on a click. Settings are read and written from a tab on one of the extension's pages.
    """

    def __init__(self, binary, profile, port):
        from marionette_driver.addons import Addons
        from marionette_driver.marionette import Marionette

        # With --marionette, Firefox itself applies the remote agent's recommended preferences, which
        # keep it off the network (updates, telemetry, safe browsing, remote settings).
        with open(os.path.join(profile, "user.js"), "w") as prefs:
            prefs.write(f'user_pref("marionette.port", {port});\n')
        self.process = subprocess.Popen(
            [binary, "--headless", "--marionette", "--remote-allow-system-access", "--no-remote",
             "--profile", profile],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            self.marionette = Marionette(host="127.0.0.1", port=port, startup_timeout=60)
            self.marionette.start_session()
            self.id = Addons(self.marionette).install(str(EXTENSION), temp=True)
            with self.marionette.using_context("chrome"):
                host = self.marionette.execute_script(
                    "return WebExtensionPolicy.getByID(arguments[0]).mozExtensionHostname", script_args=[self.id])
            self.base_url = f"moz-extension://{host}/"
            self.extension_tab = self.open_page(self.base_url + "options/options.html")
        except BaseException:
            self.close()
            raise

    def close(self):
        try:
            self.marionette.delete_session()
        except Exception:
            pass
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def set_settings(self, **values):
        self.extension_tab.evaluate("values => chrome.storage.local.set(values)", values)

    def settings(self):
        return self.extension_tab.evaluate("() => chrome.storage.local.get(null)")

    def open_page(self, url) -> FirefoxTab:
        self.marionette.switch_to_window(self.marionette.window_handles[0])  # the current one may be closed
        handle = self.marionette.open(type="tab", focus=True)["handle"]
        self.marionette.switch_to_window(handle)
        self.marionette.navigate(url)
        return FirefoxTab(self.marionette, handle)

    def click_action(self, tab: FirefoxTab) -> FirefoxTab:
        """Presses the toolbar button on `tab`; returns the reader tab it opens."""
        tab._switch()
        before = set(self.marionette.window_handles)
        widget = self.id.replace("@", "_").replace(".", "_") + "-browser-action"
        with self.marionette.using_context("chrome"):
            self.marionette.execute_script(
                """CustomizableUI.addWidgetToArea(arguments[0], CustomizableUI.AREA_NAVBAR);
                   document.getElementById(arguments[0]).querySelector("toolbarbutton").doCommand();""",
                script_args=[widget])
        deadline = time.monotonic() + WAIT_SECONDS
        while not (opened := set(self.marionette.window_handles) - before):
            if time.monotonic() > deadline:
                raise TimeoutError("the toolbar button opened no tab")
            time.sleep(0.1)
        reader = FirefoxTab(self.marionette, opened.pop())
        # A new tab starts on about:blank before it loads the reader page.
        reader.wait_for("() => location.href !== 'about:blank' && document.readyState !== 'loading'")
        return reader
