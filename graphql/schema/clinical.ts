/** Patients, treatments (FHIR Encounter), vitals (Observation), attachments (DocumentReference). */
export const clinicalTypeDefs = `#graphql
  enum Sex { UNKNOWN FEMALE MALE OTHER }
  enum BloodGroup { UNKNOWN A_POS A_NEG B_POS B_NEG AB_POS AB_NEG O_POS O_NEG }
  enum Stage { ADMITTED DIAGNOSED IN_TREATMENT DISCHARGED CLOSED }
  enum FileKind { PRESCRIPTION LAB_REPORT IMAGING DISCHARGE_SUMMARY OTHER }
  enum VerificationStatus { PENDING VERIFIED INVALID UNAVAILABLE }
  enum TreatmentOrder { OPENED_AT_DESC OPENED_AT_ASC }
  """
  RAW readings; averages per HOUR or DAY; or AUTO: a downsampled series for charts, at most
  maxPoints averages over the readings' span, each bucket a whole number of minutes, hours or days.
  Buckets are aligned on IST (UTC+05:30).
  """
  enum VitalsBucket { RAW HOUR DAY AUTO }

  """
  A patient (FHIR Patient). Identified by their reference only: the API never returns an Aadhaar
  number, not even masked, because it never has one back.
  """
  type Patient {
    ref: Bytes32!
    sex: Sex!
    bloodGroup: BloodGroup!
    birthDate: Date!
    "Whole years today."
    ageYears: Int!
    weightGrams: Int!
    heightCm: Int!
    state: Region!
    district: Region!
    registeredHospital: Hospital
    registeredBy: Address!
    registeredAt: DateTime!
    updatedAt: DateTime!
    "1 at registration, +1 per update."
    version: Int!
    "Every version of the demographics, oldest first."
    history: [PatientVersion!]!
    "Treatments you may see, newest first."
    treatments(first: Int, after: String): TreatmentConnection!
    "The latest vitals reading among treatments you may see."
    latestVitals: Observation
    vitals(from: DateTime, to: DateTime, bucket: VitalsBucket = RAW, maxPoints: Int): [Observation!]!
  }

  type PatientVersion {
    registration: Boolean!
    weightGrams: Int!
    heightCm: Int!
    sex: Sex!
    bloodGroup: BloodGroup!
    birthDate: Date!
    state: Region!
    district: Region!
    hospitalId: Int!
    actor: Address!
    time: DateTime!
    blockNumber: BigInt!
    txHash: String!
  }

  type Diagnosis {
    "ICD-10 code, e.g. E11.9."
    code: String!
    "3-character category, e.g. E11."
    category: String!
    "ICD-10 chapter (1-22)."
    chapter: Int
    "Category name, when known."
    name: String
  }

  "A treatment (FHIR Encounter)."
  type Treatment {
    id: BigInt!
    patient: Patient!
    hospital: Hospital!
    stage: Stage!
    diagnosis: Diagnosis
    diagnosedBy: Address
    diagnosedAt: DateTime
    openedBy: Address!
    openedAt: DateTime!
    openedBlock: BigInt!
    dischargedAt: DateTime
    closedAt: DateTime
    updatedAt: DateTime!
    "Doctors assigned now (FHIR Encounter.participant)."
    careTeam: [CareTeamMember!]!
    "Files attached (FHIR DocumentReference), in chain order."
    attachments: [DocumentReference!]!
    "Every event of the treatment in chain order (FHIR Provenance)."
    timeline(first: Int, after: String): TimelineConnection!
    vitals(from: DateTime, to: DateTime, bucket: VitalsBucket = RAW, maxPoints: Int): [Observation!]!
  }

  type CareTeamMember {
    doctor: Member!
    assignedBy: Address!
    assignedAt: DateTime!
    assignedBlock: BigInt!
  }

  type TreatmentConnection {
    nodes: [Treatment!]!
    pageInfo: PageInfo!
  }

  "One on-chain event, traceable to its transaction."
  type TimelineEvent {
    name: String!
    time: DateTime!
    actor: Address
    "The actor's hospital membership (staff, doctor or device), when the actor is a member."
    actorMember: Member
    "The account the event is about (an assigned doctor, a member), if any."
    account: Address
    "That account's hospital membership, when it is a member."
    accountMember: Member
    blockNumber: BigInt!
    logIndex: Int!
    blockHash: String!
    txHash: String!
    "The decoded event fields (bigints as decimal strings)."
    args: JSON!
  }

  type TimelineConnection {
    nodes: [TimelineEvent!]!
    pageInfo: PageInfo!
  }

  type FileVerification {
    status: VerificationStatus!
    sizeBytes: BigInt
    contentType: String
    verifiedAt: DateTime
  }

  "A file attached to a treatment (FHIR DocumentReference)."
  type DocumentReference {
    kind: FileKind!
    cid: String!
    attachedBy: Address!
    "Who attached it: their hospital membership (staff or doctor)."
    attachedByMember: Member
    attachedAt: DateTime!
    blockNumber: BigInt!
    txHash: String!
    verification: FileVerification!
    """
    Where to fetch the file through this API (GET with the same bearer token): only once the
    indexer has verified the CID against its content; null before that or if it failed.
    """
    url: String
  }

  "A vitals reading, or the average of the readings in one bucket (FHIR Observation)."
  type Observation {
    "The reading's time, or the bucket's start."
    time: DateTime!
    "Readings averaged (1 for RAW)."
    count: Int!
    temperatureC: Float
    systolicMmHg: Float
    diastolicMmHg: Float
    heartRateBpm: Float
    "Oxygen saturation in percent."
    spo2Percent: Float
    "RAW only."
    treatmentId: BigInt
    "RAW only."
    recorder: Address
    "RAW only."
    blockNumber: BigInt
  }

  input TreatmentFilter {
    "The patient's Aadhaar number (validated, turned into a reference on arrival, never stored or logged)."
    patientAadhaar: String
    patientRef: Bytes32
    hospitalId: Int
    "Treatments this doctor is assigned to now (whatever the viewer may see of them)."
    doctor: Address
    stages: [Stage!]
    "Exact ICD-10 code (E11.9)."
    diagnosis: String
    "ICD-10 category (E11)."
    diagnosisCategory: String
    diagnosisChapter: Int
    openedFrom: DateTime
    "Exclusive."
    openedTo: DateTime
  }

  extend type Query {
    """
    STAFF (any patient; null when none is registered) or DOCTOR (patients they treat, and for
    DOCTOR_ACCESS_GRACE_HOURS after that care ends; FORBIDDEN otherwise, registered or not): one
    patient by Aadhaar number or reference.
    """
    patient(aadhaar: String, ref: Bytes32): Patient
    "STAFF: their hospital's treatments; DOCTOR: treatments of patients they treat."
    treatments(filter: TreatmentFilter, first: Int, after: String, orderBy: TreatmentOrder = OPENED_AT_DESC): TreatmentConnection!
    treatment(id: BigInt!): Treatment
  }
`;
