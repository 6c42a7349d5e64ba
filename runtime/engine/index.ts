/** The Flagsmith-compatible evaluation engine (issue 3). */
export {};
