// Debian's Chromium, as every browser test launches it (never a downloaded browser). Without the
// background-networking flags it keeps dialling hosts this closed network refuses.
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
