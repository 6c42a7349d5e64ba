/** flagstage/hono adapter (issue 7). */
export {};
