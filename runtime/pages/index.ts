/**
 * flagstage/pages: reading an environment document Flagsmith pages (`Link: rel="next"`, only for
 * very many identity overrides): `flagsmithSource({ ..., pages: followPages })`. On its own entry
 * point so that a Worker whose document fits one page does not bundle it. Imports no Node built-in.
 */
export { followPages } from '../sources/pages';
export type { PageFollower, PageReader } from '../sources/origin';
