import { grantTests } from './grants.cases';

grantTests();
