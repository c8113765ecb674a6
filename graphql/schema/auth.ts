export const authTypeDefs = `#graphql
  "A Sign-In with Ethereum nonce: put it in the EIP-4361 message, sign, then call signIn before it expires."
  type SiweNonce {
    nonce: String!
    issuedAt: DateTime!
    expiresAt: DateTime!
    "The chain id the message must name."
    chainId: Int!
    "Accepted message domains."
    domains: [String!]!
    "Accepted URI origins."
    origins: [String!]!
  }

  type Session {
    "Send as \`Authorization: Bearer <token>\`."
    token: String!
    sessionId: ID!
    address: Address!
    expiresAt: DateTime!
    "Roles held now, from the indexed chain state."
    roles: [Role!]!
  }

  "API roles: STAFF and DOCTOR are hospital memberships; the rest are AccessControl roles (GOVERNANCE = DEFAULT_ADMIN_ROLE)."
  enum Role {
    GOVERNANCE
    AUDITOR
    STAFF
    DOCTOR
    ANALYST
    PUBLIC_HEALTH
  }

  type Viewer {
    address: Address!
    roles: [Role!]!
    "The hospital of a STAFF or DOCTOR membership."
    hospital: Hospital
  }

  extend type Query {
    "The signed-in account and its roles now; null without a token."
    viewer: Viewer
  }

  extend type Mutation {
    "Issues a single-use SIWE nonce."
    nonce: SiweNonce!
    "Verifies a signed EIP-4361 message and opens a session."
    signIn(message: String!, signature: String!): Session!
    "Ends the current session (its token stops working)."
    signOut: Boolean!
  }
`;
