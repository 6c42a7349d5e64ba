import { FlagstageError, isGate } from 'flagstage';

/** Fails fast, at route definition, on something that is not a generated gate. */
export function assertGate(gate: unknown, caller: string): void {
  if (!isGate(gate) || typeof gate.flag !== 'string') {
    throw new FlagstageError('invalid-option', `${caller}() takes a gate from flags.gen.ts, such as requireGastown or withFeature('convoys')`);
  }
}
