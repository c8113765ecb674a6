export const metaTypeDefs = `#graphql
  "Where the DocTel contract lives (the deployment record)."
  type Deployment {
    chainId: Int!
    contractAddress: Address!
    deployBlock: BigInt!
    deployTxHash: String!
    deployedAt: DateTime!
    "The pepper's public fingerprint (referenceKeyId)."
    referenceKeyId: Bytes32!
    "The contract ABI (JSON, about 28.5 kB: it weighs 300 in a query's cost)."
    abi: JSON! @cost(weight: 300)
  }

  "How far the index has followed the chain."
  type IndexingStatus {
    chainId: Int
    contractAddress: Address
    deployBlock: BigInt
    indexedBlock: BigInt
    indexedBlockHash: String
    headBlock: BigInt
    finalizedBlock: BigInt
    "headBlock - indexedBlock."
    lagBlocks: BigInt
    updatedAt: DateTime
    "False until the indexer has written its first checkpoint."
    started: Boolean!
  }

  "A doctor specialty (shared/reference/specialties.ts)."
  type Specialty {
    code: Int!
    key: String!
    name: String!
    group: String!
  }

  type Region {
    code: Int!
    name: String
  }

  extend type Query {
    "Public."
    deployment: Deployment!
    "Public."
    indexingStatus: IndexingStatus!
    "Public reference table."
    specialties: [Specialty!]!
  }
`;
