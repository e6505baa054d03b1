/** The sync-v1 scenario against work-prod on SQLite. */
import { syncV1Scenario } from './sync-v1-scenario.js';

syncV1Scenario('sqlite');
