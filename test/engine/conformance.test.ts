import { conformanceSuite } from './conformance.shared';

conformanceSuite();
