/**
 * Headless Chromium as the tests, interop suites, capture scripts and benchmarks launch it:
 * Debian's `chromium`, and the flags this kind of machine needs (no sandbox as root, no GPU,
 * no network beyond loopback, nothing fetched in the background). Strings only: each caller
 * launches it with its own driver (playwright-core) and adds the flags its purpose needs.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const HEADLESS_CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Real host addresses in candidates rather than mDNS names, which nothing here resolves. */
export const CHROMIUM_REAL_HOST_ADDRESSES = '--disable-features=WebRtcHideLocalIpsWithMdns';

/** A fake camera (test pattern) and microphone (beeps), granted without a prompt. */
export const CHROMIUM_FAKE_MEDIA_FLAGS: readonly string[] = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
