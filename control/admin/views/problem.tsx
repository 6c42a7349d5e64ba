/** @jsxImportSource hono/jsx */
import { Banner } from './layout';

/** What the page says when it refused a form: the problem and, when the API gave one, the fix. */
export interface PageProblem {
  readonly message: string;
  readonly fix?: string;
}

/**
 * The banner of a refused form (a bad value, a stale page, an API refusal): it always says that
 * nothing was changed, then the problem and the fix. The one owner of that wording for every page.
 */
export function ProblemBanner(props: { readonly problem: PageProblem | undefined }) {
  const { problem } = props;
  return problem ? (
    <Banner kind="error">
      <strong>Nothing was changed:</strong> {problem.message}
      {problem.fix ? <div>Fix: {problem.fix}</div> : null}
    </Banner>
  ) : null;
}
