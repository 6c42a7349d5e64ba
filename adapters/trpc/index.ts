/** flagstage/trpc adapter (issue 7). */
export {};
