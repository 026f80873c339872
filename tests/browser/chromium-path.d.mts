/** The path of a Chromium executable: CHROMIUM_PATH, Debian's, or @sparticuz/chromium's, unpacked on first use. */
export declare function chromiumPath(): Promise<string>;
