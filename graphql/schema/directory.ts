/** Hospitals, members (the prototype's "all members" page), doctors, role grants, the audit log. */
export const directoryTypeDefs = `#graphql
  enum MemberKind { STAFF DOCTOR DEVICE }
  enum GlobalRole { GOVERNANCE ANALYST PUBLIC_HEALTH AUDITOR OTHER }
  enum AuditRecordType { PATIENT TREATMENT VITALS ATTACHMENT MEMBER ROLE_GRANT AUDIT_LOG DATASET AGGREGATE }

  type Hospital {
    id: Int!
    name: String!
    state: Region!
    district: Region!
    registeredBy: Address!
    registeredAt: DateTime!
    txHash: String!
  }

  type HospitalConnection {
    nodes: [Hospital!]!
    pageInfo: PageInfo!
  }

  "A hospital membership (FHIR PractitionerRole / Device)."
  type Member {
    account: Address!
    kind: MemberKind!
    hospital: Hospital!
    "Staff and doctors: their person reference (HMAC of Aadhaar)."
    personRef: Bytes32
    specialty: Specialty
    active: Boolean!
    registeredBy: Address!
    registeredAt: DateTime!
    registeredBlock: BigInt!
    revokedBy: Address
    revokedAt: DateTime
  }

  type MemberConnection {
    nodes: [Member!]!
    pageInfo: PageInfo!
  }

  input MemberFilter {
    kind: MemberKind
    hospitalId: Int
    "Default: active members only."
    active: Boolean = true
    specialty: Int
    "The hospital's state (LGD code)."
    stateCode: Int
    districtCode: Int
  }

  type RoleGrant {
    account: Address!
    role: GlobalRole!
    roleId: Bytes32!
    active: Boolean!
    grantedBy: Address!
    grantedAt: DateTime!
    grantedBlock: BigInt!
    revokedBy: Address
    revokedAt: DateTime
  }

  type RoleGrantConnection {
    nodes: [RoleGrant!]!
    pageInfo: PageInfo!
  }

  input RoleGrantFilter {
    role: GlobalRole
    account: Address
    active: Boolean
  }

  "One entry of the access audit log (FHIR AuditEvent)."
  type AuditEvent {
    id: BigInt!
    at: DateTime!
    requestId: String!
    viewer: String!
    viewerRoles: [String!]!
    operation: String!
    recordType: AuditRecordType!
    recordIds: [String!]!
    details: JSON
  }

  type AuditEventConnection {
    nodes: [AuditEvent!]!
    pageInfo: PageInfo!
  }

  input AuditEventFilter {
    viewer: Address
    recordType: AuditRecordType
    "Entries that name this record (patient reference, treatment id, account, CID)."
    recordId: String
    operation: String
    requestId: String
    from: DateTime
    to: DateTime
  }

  extend type Query {
    "Any signed-in viewer."
    hospitals(stateCode: Int, districtCode: Int, first: Int, after: String): HospitalConnection!
    hospital(id: Int!): Hospital
    "STAFF, GOVERNANCE, AUDITOR."
    members(filter: MemberFilter, first: Int, after: String): MemberConnection!
    member(account: Address!): Member
    "STAFF, GOVERNANCE, AUDITOR: active doctors by specialty, region (the hospital's) and hospital."
    doctors(specialty: Int, stateCode: Int, districtCode: Int, hospitalId: Int, first: Int, after: String): MemberConnection!
    "GOVERNANCE, AUDITOR."
    roleGrants(filter: RoleGrantFilter, first: Int, after: String): RoleGrantConnection!
    "GOVERNANCE, AUDITOR: who read which identified records, newest first."
    auditEvents(filter: AuditEventFilter, first: Int, after: String): AuditEventConnection!
  }
`;
