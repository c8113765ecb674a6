import { createRequire } from "node:module";
import { defineConfig } from "hardhat/config";

// Hardhat cannot download compilers on this machine: compile with solc-js from npm.
// Hardhat does not check that `version` matches the file, so read it from the package.
const require = createRequire(import.meta.url);
const solcVersion: string = require("solc/package.json").version;

export default defineConfig({
  solidity: {
    version: solcVersion,
    path: require.resolve("solc/soljson.js"),
    settings: {
      optimizer: { enabled: true, runs: 1000 },
      evmVersion: "cancun",
    },
  },
  paths: {
    sources: "./contracts",
    tests: "./test/contracts",
  },
  networks: {
    node: {
      type: "edr-simulated",
      chainType: "l1",
      chainId: 31337,
      // Mine a block per transaction (the default), and keep the default accounts.
    },
  },
});
