/** flagstage/next adapter (issue 7). */
export {};
