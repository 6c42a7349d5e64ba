import { engineSuite } from './engine.shared';

// Purity, robustness and document validation inside workerd, without nodejs_compat.
engineSuite();
