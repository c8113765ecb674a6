/**
 * TEST_SERVICES=containers: PostgreSQL, Kubo and anvil in Docker containers (testcontainers),
 * each a real server reached through a mapped port. testcontainers' reaper (Ryuk) removes them
 * even when the test run is killed.
 */

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

/** Fails in one line, naming what to do, when no Docker engine answers. */
export async function assertDockerAnswers(): Promise<void> {
  const { getContainerRuntimeClient } = await import("testcontainers");
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new Error(
      `TEST_SERVICES=containers needs a Docker engine, and none answers (${reason}): start Docker, or use TEST_SERVICES=embedded (the default) or TEST_SERVICES=external with DATABASE_URL, RPC_URL, IPFS_API_URL`,
    );
  }
}

/** PostgreSQL; the URL is the superuser's, on the maintenance database (it creates the test databases). */
export async function startPostgresContainer(image: string): Promise<RunningService> {
  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const container = await new PostgreSqlContainer(image)
    .withUsername("postgres")
    .withPassword("postgres")
    .withDatabase("postgres")
    .start();
  return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
}

/** Kubo (go-ipfs) offline, serving its RPC API. */
export async function startKuboContainer(image: string): Promise<RunningService> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(image)
    .withEnvironment({ IPFS_PROFILE: "test" })
    .withCommand(["daemon", "--offline", "--migrate=true"])
    .withExposedPorts(5001)
    .withWaitStrategy(Wait.forLogMessage(/Daemon is ready/))
    .start();
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(5001)}`,
    stop: async () => void (await container.stop()),
  };
}

/** anvil with its default development accounts (the same mnemonic as Hardhat's) and chain id 31337. */
export async function startAnvilContainer(image: string): Promise<RunningService> {
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(image)
    .withEntrypoint(["anvil"])
    .withCommand(["--host", "0.0.0.0", "--port", "8545"])
    .withExposedPorts(8545)
    .withWaitStrategy(Wait.forLogMessage(/Listening on/))
    .start();
  return {
    url: `http://${container.getHost()}:${container.getMappedPort(8545)}`,
    stop: async () => void (await container.stop()),
  };
}
