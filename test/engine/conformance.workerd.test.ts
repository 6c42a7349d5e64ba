import { conformanceSuite } from './conformance.shared';

// The same cases inside workerd, without nodejs_compat: the engine must not need Node.
conformanceSuite();
