//! Browser suite: headless Chromium through WebDriver.
