import { grantTests } from './grants.cases';

// The same cases inside workerd, without nodejs_compat: grants use only WebCrypto through jose.
grantTests();
