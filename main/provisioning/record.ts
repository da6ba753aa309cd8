/**
 * The run record's schemas and types live in main/contract/run-record.ts, since the UI receives run records too and
 * the contract may import nothing outside itself. Re-exported here so the pipeline, store, sync and registry keep
 * importing them from the provisioning side.
 */
export * from '../contract/run-record';
