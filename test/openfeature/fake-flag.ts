/** One flag of the fake Flagship binding (test/workerd/flagship-binding.ts): off (DISABLED), rules in order, an optional split, the default. */
export interface FakeFlag {
  readonly enabled: boolean;
  readonly rules?: readonly { readonly attribute: string; readonly in: readonly (string | boolean)[]; readonly value: boolean }[];
  readonly split?: { readonly percent: number; readonly attribute: string };
  readonly default: boolean;
}
