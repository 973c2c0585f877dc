"""End-to-end tests in headless Chromium (Debian's /usr/bin/chromium), in a private network namespace."""
