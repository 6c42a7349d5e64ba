/** flagstage/react adapter (issue 7). */
export {};
