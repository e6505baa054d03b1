/** The sync-v1 scenario against work-prod on PostgreSQL (skipped visibly without TEST_DATABASE_URL). */
import { syncV1Scenario } from './sync-v1-scenario.js';

syncV1Scenario('postgres');
