/** Scalars, pagination and the root types every domain extends. */
export const baseTypeDefs = `#graphql
  """
  The weight of a field in a query's cost (graphql/plugins/complexity.ts), for fields that return
  much more than a scalar: one unit is about 100 bytes of response. Fields without it weigh 1.
  """
  directive @cost(weight: Int!) on FIELD_DEFINITION

  "ISO-8601 timestamp (UTC), e.g. 2026-01-31T09:30:00.000Z."
  scalar DateTime
  "Calendar date, YYYY-MM-DD."
  scalar Date
  "A 64-bit integer as a decimal string (block numbers, treatment ids)."
  scalar BigInt
  "Any JSON value."
  scalar JSON
  "A 20-byte account address, 0x-hex (lowercase in results; any case accepted)."
  scalar Address
  "A 32-byte reference, 0x-hex: a person reference is HMAC-SHA256(pepper, Aadhaar), never the number."
  scalar Bytes32

  type PageInfo {
    hasNextPage: Boolean!
    "Pass as \`after\` to get the next page."
    endCursor: String
  }

  type Query {
    "Public: the API is up."
    ping: String!
  }

  type Mutation {
    "Placeholder root; see the auth mutations."
    _unused: Boolean
  }
`;
