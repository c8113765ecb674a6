// Placeholder replaced by the services harness (embedded PostgreSQL with a migrated template).
export default async function setup(): Promise<void> {}
