import { engineSuite } from './engine.shared';

engineSuite();
