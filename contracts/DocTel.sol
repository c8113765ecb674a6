// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";

/// @title DocTel: the on-chain record of care
/// @notice Hospitals record treatments, diagnoses, attached files (IPFS CIDs) and vitals.
/// People are identified only by a bytes32 reference: HMAC-SHA256 of their normalized
/// Aadhaar number under a secret "pepper" held off-chain. No Aadhaar number, nor a plain
/// hash of one, ever reaches the chain.
/// @dev Every state change emits an event carrying everything an indexer needs to rebuild
/// the state without calling the contract. Storage holds only what the contract's own
/// checks need. Every event is numbered: DocTel's own events carry `seq` (1, 2, 3, … with no
/// gap, across all event kinds), and OpenZeppelin's access-control events, which cannot carry
/// it, are numbered by an AccessControlSequenced event emitted right after them. An indexer that
/// misses any event sees a gap.
contract DocTel is AccessControlDefaultAdminRules, Multicall {
    // ------------------------------------------------------------------ roles
    /// @notice Reads de-identified datasets through the API.
    bytes32 public constant ANALYST_ROLE = keccak256("ANALYST_ROLE");
    /// @notice Reads suppressed aggregates through the API.
    bytes32 public constant PUBLIC_HEALTH_ROLE = keccak256("PUBLIC_HEALTH_ROLE");
    /// @notice Reads member lists, role grants and the access audit log through the API,
    /// so that a governance multisig (which cannot sign in) can delegate oversight.
    bytes32 public constant AUDITOR_ROLE = keccak256("AUDITOR_ROLE");

    /// @notice Version of the event format (every event numbered); indexers check it at start.
    uint16 public constant EVENTS_VERSION = 2;

    // ------------------------------------------------------------------ enums (as uint8 on the ABI)
    // MemberKind: 0 None, 1 Staff, 2 Doctor, 3 Device
    uint8 internal constant KIND_NONE = 0;
    uint8 internal constant KIND_STAFF = 1;
    uint8 internal constant KIND_DOCTOR = 2;
    uint8 internal constant KIND_DEVICE = 3;
    // Stage: 0 Admitted, 1 Diagnosed, 2 InTreatment, 3 Discharged, 4 Closed
    uint8 public constant STAGE_ADMITTED = 0;
    uint8 public constant STAGE_DIAGNOSED = 1;
    uint8 public constant STAGE_IN_TREATMENT = 2;
    uint8 public constant STAGE_DISCHARGED = 3;
    uint8 public constant STAGE_CLOSED = 4;
    // Sex: 0 Unknown, 1 Female, 2 Male, 3 Other
    uint8 public constant MAX_SEX = 3;
    // BloodGroup: 0 Unknown, 1 A+, 2 A-, 3 B+, 4 B-, 5 AB+, 6 AB-, 7 O+, 8 O-
    uint8 public constant MAX_BLOOD_GROUP = 8;
    // FileKind: 0 Prescription, 1 LabReport, 2 Imaging, 3 DischargeSummary, 4 Other
    uint8 public constant MAX_FILE_KIND = 4;
    // Specialty codes 1..MAX_SPECIALTY come from the table shipped in shared/reference.
    uint16 public constant MAX_SPECIALTY = 64;
    // LGD (Local Government Directory) state / union territory codes 1..MAX_STATE_CODE: the
    // Census 2011 codes plus 36 Telangana, 37 Ladakh, 38 DNH and DD (25, 26 retired); district
    // codes are LGD district codes, unique nationwide (shared/reference/regions.ts).
    uint8 public constant MAX_STATE_CODE = 38;

    // ------------------------------------------------------------------ validation bounds
    uint16 public constant MAX_HEIGHT_CM = 300;
    uint32 public constant MIN_WEIGHT_GRAMS = 200;
    uint32 public constant MAX_WEIGHT_GRAMS = 500_000;
    /// @notice Oldest accepted birth date, in days before the current block: 150 years.
    int64 public constant MAX_AGE_DAYS = 54_787;
    uint256 public constant MAX_CID_LENGTH = 128;
    uint256 public constant MAX_NAME_LENGTH = 128;
    uint256 public constant MAX_VITALS_BATCH = 512;
    // Vitals, scaled integers; 0 means "not measured".
    uint16 public constant MIN_TEMPERATURE_CENTI_C = 2500; // 25.00 °C
    uint16 public constant MAX_TEMPERATURE_CENTI_C = 4500; // 45.00 °C
    uint16 public constant MIN_SYSTOLIC_MMHG = 40;
    uint16 public constant MAX_SYSTOLIC_MMHG = 300;
    uint16 public constant MIN_DIASTOLIC_MMHG = 20;
    uint16 public constant MAX_DIASTOLIC_MMHG = 200;
    uint16 public constant MIN_HEART_RATE_BPM = 20;
    uint16 public constant MAX_HEART_RATE_BPM = 300;
    uint16 public constant MIN_SPO2_PERMILLE = 500; // 50.0 %
    uint16 public constant MAX_SPO2_PERMILLE = 1000; // 100.0 %

    // Vital field ids used in VitalOutOfRange.
    uint8 internal constant VITAL_TEMPERATURE = 0;
    uint8 internal constant VITAL_SYSTOLIC = 1;
    uint8 internal constant VITAL_DIASTOLIC = 2;
    uint8 internal constant VITAL_HEART_RATE = 3;
    uint8 internal constant VITAL_SPO2 = 4;
    uint8 internal constant VITAL_MEASURED_AT = 5;

    // ------------------------------------------------------------------ types
    struct PatientData {
        uint32 weightGrams;
        uint16 heightCm;
        uint8 sex;
        uint8 bloodGroup;
        /// Days since 1970-01-01 (negative before 1970).
        int32 birthDate;
        uint8 stateCode;
        uint16 districtCode;
    }

    struct Vitals {
        uint40 measuredAt;
        uint16 temperatureCentiC;
        uint16 systolicMmHg;
        uint16 diastolicMmHg;
        uint16 heartRateBpm;
        uint16 spo2Permille;
    }

    struct Member {
        uint8 kind;
        uint32 hospitalId;
        /// Incremented on every revocation, so that assignments made before a revocation stay
        /// dead when the account is registered again.
        uint32 epoch;
    }

    struct Treatment {
        bytes32 patientRef;
        uint32 hospitalId;
        uint8 stage;
        bool diagnosed;
    }

    // ------------------------------------------------------------------ storage
    /// @notice Public fingerprint of the reference pepper: HMAC-SHA256(pepper, "doctel/reference-key-id/v1").
    /// Writers and the API compare it with their own pepper before computing references.
    bytes32 public immutable referenceKeyId;

    uint32 public hospitalCount;
    uint64 public treatmentCount;
    /// @notice The number of the last event emitted (0 before the first). Shares its storage
    /// slot with the two counters above: numbering an event costs no slot of its own.
    uint64 public eventSequence;
    mapping(uint32 hospitalId => bool) public hospitalExists;
    /// @dev Read through members(account); the epoch stays internal.
    mapping(address account => Member) internal _members;
    mapping(address device => bytes32 patientRef) public deviceBinding;
    mapping(bytes32 patientRef => bool) public patientExists;
    mapping(uint64 treatmentId => Treatment) public treatments;
    /// @dev The doctor's epoch + 1 at assignment time (0: never assigned). Read through isAssigned.
    mapping(uint64 treatmentId => mapping(address doctor => uint32 epochPlusOne)) internal _assignments;

    // ------------------------------------------------------------------ events
    // Every event's first field is `seq`, its number (see eventSequence).
    event HospitalRegistered(
        uint64 seq,
        uint32 indexed hospitalId, address indexed actor, uint8 stateCode, uint16 districtCode, string name
    );
    event StaffRegistered(
        uint64 seq,
        address indexed account, uint32 indexed hospitalId, address indexed actor, bytes32 personRef
    );
    event DoctorRegistered(
        uint64 seq,
        address indexed account, uint32 indexed hospitalId, address indexed actor, bytes32 personRef, uint16 specialty
    );
    event DeviceRegistered(
        uint64 seq,
        address indexed device, uint32 indexed hospitalId, address indexed actor, bytes32 patientRef
    );
    event MemberRevoked(uint64 seq, address indexed account, uint32 indexed hospitalId, address indexed actor, uint8 kind);
    event PatientRegistered(
        uint64 seq,
        bytes32 indexed patientRef,
        uint32 indexed hospitalId,
        address indexed actor,
        uint32 weightGrams,
        uint16 heightCm,
        uint8 sex,
        uint8 bloodGroup,
        int32 birthDate,
        uint8 stateCode,
        uint16 districtCode
    );
    event PatientUpdated(
        uint64 seq,
        bytes32 indexed patientRef,
        uint32 indexed hospitalId,
        address indexed actor,
        uint32 weightGrams,
        uint16 heightCm,
        uint8 sex,
        uint8 bloodGroup,
        int32 birthDate,
        uint8 stateCode,
        uint16 districtCode
    );
    event TreatmentOpened(
        uint64 seq,
        uint64 indexed treatmentId, bytes32 indexed patientRef, uint32 indexed hospitalId, address actor
    );
    event DoctorAssigned(uint64 seq, uint64 indexed treatmentId, address indexed doctor, address indexed actor);
    event DoctorUnassigned(uint64 seq, uint64 indexed treatmentId, address indexed doctor, address indexed actor);
    event DiagnosisRecorded(uint64 seq, uint64 indexed treatmentId, address indexed doctor, bytes8 icd10);
    event FileAttached(uint64 seq, uint64 indexed treatmentId, address indexed actor, uint8 kind, string cid);
    event StageAdvanced(uint64 seq, uint64 indexed treatmentId, address indexed actor, uint8 fromStage, uint8 toStage);
    event VitalsRecorded(
        uint64 seq,
        uint64 indexed treatmentId,
        address indexed recorder,
        uint40 measuredAt,
        uint16 temperatureCentiC,
        uint16 systolicMmHg,
        uint16 diastolicMmHg,
        uint16 heartRateBpm,
        uint16 spo2Permille
    );
    /// @notice Numbers the `count` access-control events that OpenZeppelin emitted just before it
    /// in the same call (RoleGranted, RoleRevoked, RoleAdminChanged, DefaultAdmin*), which carry
    /// no number of their own: a missing one leaves the count short, a missing number a gap.
    event AccessControlSequenced(uint64 seq, uint8 count);

    // ------------------------------------------------------------------ errors
    error ZeroAddress();
    error ZeroReference();
    error InvalidName();
    error InvalidRegion(uint8 stateCode, uint16 districtCode);
    error UnknownHospital(uint32 hospitalId);
    error UnknownPatient(bytes32 patientRef);
    error UnknownTreatment(uint64 treatmentId);
    error AlreadyMember(address account);
    error NotMember(address account);
    error NotGovernanceOrStaff(address caller, uint32 hospitalId);
    error NotClinician(address caller);
    error NotCareTeam(address caller, uint64 treatmentId);
    error NotAssignedDoctor(address caller, uint64 treatmentId);
    error NotVitalsRecorder(address caller, uint64 treatmentId);
    error NotADoctor(address account);
    error DoctorAlreadyAssigned(uint64 treatmentId, address doctor);
    error DoctorNotAssigned(uint64 treatmentId, address doctor);
    error PatientAlreadyRegistered(bytes32 patientRef);
    error InvalidSpecialty(uint16 specialty);
    error InvalidWeight(uint32 weightGrams);
    error InvalidHeight(uint16 heightCm);
    error InvalidSex(uint8 sex);
    error InvalidBloodGroup(uint8 bloodGroup);
    error InvalidBirthDate(int32 birthDate);
    error InvalidIcd10(bytes8 icd10);
    error InvalidFileKind(uint8 kind);
    error InvalidCid();
    error StageNotForward(uint64 treatmentId, uint8 currentStage, uint8 requestedStage);
    error InvalidStage(uint8 stage);
    error DiagnosisRequired(uint64 treatmentId);
    error TreatmentClosed(uint64 treatmentId);
    error TreatmentDischarged(uint64 treatmentId);
    error EmptyVitals();
    error VitalOutOfRange(uint8 field, uint256 value);
    error BatchTooLarge(uint256 size, uint256 max);

    // ------------------------------------------------------------------ construction
    /// @param initialDelay Delay (seconds) before a governance handover takes effect.
    /// @param governance The governance admin (an EOA at first; hand over to a multisig with
    /// beginDefaultAdminTransfer / acceptDefaultAdminTransfer).
    /// @param referenceKeyId_ Fingerprint of the reference pepper (see referenceKeyId).
    constructor(uint48 initialDelay, address governance, bytes32 referenceKeyId_)
        AccessControlDefaultAdminRules(initialDelay, governance)
    {
        if (referenceKeyId_ == bytes32(0)) revert ZeroReference();
        referenceKeyId = referenceKeyId_;
    }

    // ------------------------------------------------------------------ views
    /// @notice An account's membership: kind 0 (none) after revocation or if never registered.
    function members(address account) external view returns (uint8 kind, uint32 hospitalId) {
        Member memory m = _members[account];
        return (m.kind, m.hospitalId);
    }

    /// @notice True while `doctor` is on the treatment's care team. Revoking a doctor ends all of
    /// their assignments for good: registering the account again does not revive them.
    function isAssigned(uint64 treatmentId, address doctor) public view returns (bool) {
        Member memory m = _members[doctor];
        return m.kind == KIND_DOCTOR && _assignments[treatmentId][doctor] == m.epoch + 1;
    }

    // ------------------------------------------------------------------ hospitals and members
    function registerHospital(string calldata name, uint8 stateCode, uint16 districtCode)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
        returns (uint32 hospitalId)
    {
        uint256 len = bytes(name).length;
        if (len == 0 || len > MAX_NAME_LENGTH) revert InvalidName();
        _checkRegion(stateCode, districtCode);
        hospitalId = ++hospitalCount;
        hospitalExists[hospitalId] = true;
        emit HospitalRegistered(_nextSeq(), hospitalId, msg.sender, stateCode, districtCode, name);
    }

    /// @notice Registers hospital staff. Allowed to governance and to staff of the same hospital.
    function registerStaff(address account, uint32 hospitalId, bytes32 personRef) external {
        _checkGovernanceOrStaff(hospitalId);
        if (personRef == bytes32(0)) revert ZeroReference();
        _addMember(account, KIND_STAFF, hospitalId);
        emit StaffRegistered(_nextSeq(), account, hospitalId, msg.sender, personRef);
    }

    /// @notice Registers a doctor at the caller's hospital. Staff only.
    function registerDoctor(address account, bytes32 personRef, uint16 specialty) external {
        uint32 hospitalId = _staffHospital();
        if (personRef == bytes32(0)) revert ZeroReference();
        if (specialty == 0 || specialty > MAX_SPECIALTY) revert InvalidSpecialty(specialty);
        _addMember(account, KIND_DOCTOR, hospitalId);
        emit DoctorRegistered(_nextSeq(), account, hospitalId, msg.sender, personRef, specialty);
    }

    /// @notice Registers an IoT device at the caller's hospital, bound to one patient. Staff only.
    function registerDevice(address device, bytes32 patientRef) external {
        uint32 hospitalId = _staffHospital();
        if (!patientExists[patientRef]) revert UnknownPatient(patientRef);
        _addMember(device, KIND_DEVICE, hospitalId);
        deviceBinding[device] = patientRef;
        emit DeviceRegistered(_nextSeq(), device, hospitalId, msg.sender, patientRef);
    }

    /// @notice Revokes a staff member, doctor or device. Allowed to governance and to staff of the
    /// member's hospital. The account loses every power at once: a doctor's treatment assignments
    /// all end (no DoctorUnassigned is emitted for them), a device's patient binding is cleared.
    /// A revoked account may be registered again later; it then starts with no assignments.
    function revokeMember(address account) external {
        Member memory m = _members[account];
        if (m.kind == KIND_NONE) revert NotMember(account);
        _checkGovernanceOrStaff(m.hospitalId);
        _members[account] = Member({kind: KIND_NONE, hospitalId: 0, epoch: m.epoch + 1});
        if (m.kind == KIND_DEVICE) delete deviceBinding[account];
        emit MemberRevoked(_nextSeq(), account, m.hospitalId, msg.sender, m.kind);
    }

    // ------------------------------------------------------------------ patients
    /// @notice Registers a patient. Staff or doctors of any hospital (the record is nationwide).
    function registerPatient(bytes32 patientRef, PatientData calldata d) external {
        uint32 hospitalId = _clinicianHospital();
        if (patientRef == bytes32(0)) revert ZeroReference();
        if (patientExists[patientRef]) revert PatientAlreadyRegistered(patientRef);
        _checkPatient(d);
        patientExists[patientRef] = true;
        emit PatientRegistered(
            _nextSeq(),
            patientRef,
            hospitalId,
            msg.sender,
            d.weightGrams,
            d.heightCm,
            d.sex,
            d.bloodGroup,
            d.birthDate,
            d.stateCode,
            d.districtCode
        );
    }

    /// @notice Replaces a patient's demographics. Staff or doctors of any hospital.
    function updatePatient(bytes32 patientRef, PatientData calldata d) external {
        uint32 hospitalId = _clinicianHospital();
        if (!patientExists[patientRef]) revert UnknownPatient(patientRef);
        _checkPatient(d);
        emit PatientUpdated(
            _nextSeq(),
            patientRef,
            hospitalId,
            msg.sender,
            d.weightGrams,
            d.heightCm,
            d.sex,
            d.bloodGroup,
            d.birthDate,
            d.stateCode,
            d.districtCode
        );
    }

    // ------------------------------------------------------------------ treatments
    /// @notice Opens a treatment at the caller's hospital. Staff or doctors; a doctor who opens a
    /// treatment is assigned to it.
    function openTreatment(bytes32 patientRef) external returns (uint64 treatmentId) {
        Member memory m = _members[msg.sender];
        if (m.kind != KIND_STAFF && m.kind != KIND_DOCTOR) revert NotClinician(msg.sender);
        if (!patientExists[patientRef]) revert UnknownPatient(patientRef);
        treatmentId = ++treatmentCount;
        treatments[treatmentId] =
            Treatment({patientRef: patientRef, hospitalId: m.hospitalId, stage: STAGE_ADMITTED, diagnosed: false});
        emit TreatmentOpened(_nextSeq(), treatmentId, patientRef, m.hospitalId, msg.sender);
        if (m.kind == KIND_DOCTOR) {
            _assignments[treatmentId][msg.sender] = m.epoch + 1;
            emit DoctorAssigned(_nextSeq(), treatmentId, msg.sender, msg.sender);
        }
    }

    /// @notice Assigns a doctor (of any hospital: consultations cross hospitals) to a treatment.
    /// Staff of the treatment's hospital or an already assigned doctor.
    function assignDoctor(uint64 treatmentId, address doctor) external {
        Treatment storage t = _openTreatment(treatmentId);
        _checkCareTeam(t, treatmentId);
        Member memory d = _members[doctor];
        if (d.kind != KIND_DOCTOR) revert NotADoctor(doctor);
        if (_assignments[treatmentId][doctor] == d.epoch + 1) revert DoctorAlreadyAssigned(treatmentId, doctor);
        _assignments[treatmentId][doctor] = d.epoch + 1;
        emit DoctorAssigned(_nextSeq(), treatmentId, doctor, msg.sender);
    }

    /// @notice Removes a doctor from a treatment's care team. Staff of the treatment's hospital or
    /// an assigned doctor (who may step down).
    function unassignDoctor(uint64 treatmentId, address doctor) external {
        Treatment storage t = _openTreatment(treatmentId);
        _checkCareTeam(t, treatmentId);
        if (!isAssigned(treatmentId, doctor)) revert DoctorNotAssigned(treatmentId, doctor);
        delete _assignments[treatmentId][doctor];
        emit DoctorUnassigned(_nextSeq(), treatmentId, doctor, msg.sender);
    }

    /// @notice Records or revises the ICD-10 diagnosis. Assigned doctors only.
    /// @param icd10 ASCII code, left-aligned and zero-padded: "A90", "E11.9", "U07.1".
    function recordDiagnosis(uint64 treatmentId, bytes8 icd10) external {
        Treatment storage t = _openTreatment(treatmentId);
        if (!isAssigned(treatmentId, msg.sender)) revert NotAssignedDoctor(msg.sender, treatmentId);
        if (!_isIcd10(icd10)) revert InvalidIcd10(icd10);
        if (!t.diagnosed) t.diagnosed = true;
        emit DiagnosisRecorded(_nextSeq(), treatmentId, msg.sender, icd10);
    }

    /// @notice Attaches a file already uploaded to IPFS. Staff of the hospital or an assigned doctor.
    function attachFile(uint64 treatmentId, uint8 kind, string calldata cid) external {
        Treatment storage t = _openTreatment(treatmentId);
        _checkCareTeam(t, treatmentId);
        if (kind > MAX_FILE_KIND) revert InvalidFileKind(kind);
        uint256 len = bytes(cid).length;
        if (len == 0 || len > MAX_CID_LENGTH) revert InvalidCid();
        emit FileAttached(_nextSeq(), treatmentId, msg.sender, kind, cid);
    }

    /// @notice Moves a treatment forward (stages may be skipped, never revisited). Reaching
    /// Diagnosed or later needs a recorded diagnosis. Staff of the hospital or an assigned doctor.
    function advanceStage(uint64 treatmentId, uint8 newStage) external {
        Treatment storage t = _openTreatment(treatmentId);
        _checkCareTeam(t, treatmentId);
        if (newStage > STAGE_CLOSED) revert InvalidStage(newStage);
        uint8 current = t.stage;
        if (newStage <= current) revert StageNotForward(treatmentId, current, newStage);
        if (newStage >= STAGE_DIAGNOSED && !t.diagnosed) revert DiagnosisRequired(treatmentId);
        t.stage = newStage;
        emit StageAdvanced(_nextSeq(), treatmentId, msg.sender, current, newStage);
    }

    // ------------------------------------------------------------------ vitals
    /// @notice Records one set of vitals. Staff of the hospital, an assigned doctor, or a device
    /// bound to the treatment's patient.
    function recordVitals(uint64 treatmentId, Vitals calldata v) external {
        _checkVitalsRecorder(treatmentId);
        _emitVitals(treatmentId, v, _nextSeq());
    }

    /// @notice Records a batch of readings (a device uploading its buffer), up to MAX_VITALS_BATCH.
    function recordVitalsBatch(uint64 treatmentId, Vitals[] calldata readings) external {
        uint256 n = readings.length;
        if (n == 0) revert EmptyVitals();
        if (n > MAX_VITALS_BATCH) revert BatchTooLarge(n, MAX_VITALS_BATCH);
        _checkVitalsRecorder(treatmentId);
        // The batch takes numbers first+0 … first+n-1, with one storage write.
        uint64 first = eventSequence + 1;
        eventSequence += uint64(n);
        for (uint256 i; i < n; ++i) {
            _emitVitals(treatmentId, readings[i], first + uint64(i));
        }
    }

    // ------------------------------------------------------------------ internal: access
    function _checkGovernanceOrStaff(uint32 hospitalId) internal view {
        if (!hospitalExists[hospitalId]) revert UnknownHospital(hospitalId);
        if (hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) return;
        Member memory m = _members[msg.sender];
        if (m.kind != KIND_STAFF || m.hospitalId != hospitalId) {
            revert NotGovernanceOrStaff(msg.sender, hospitalId);
        }
    }

    function _staffHospital() internal view returns (uint32) {
        Member memory m = _members[msg.sender];
        if (m.kind != KIND_STAFF) revert NotGovernanceOrStaff(msg.sender, m.hospitalId);
        return m.hospitalId;
    }

    function _clinicianHospital() internal view returns (uint32) {
        Member memory m = _members[msg.sender];
        if (m.kind != KIND_STAFF && m.kind != KIND_DOCTOR) revert NotClinician(msg.sender);
        return m.hospitalId;
    }

    function _addMember(address account, uint8 kind, uint32 hospitalId) internal {
        if (account == address(0)) revert ZeroAddress();
        Member storage m = _members[account];
        if (m.kind != KIND_NONE) revert AlreadyMember(account);
        m.kind = kind;
        m.hospitalId = hospitalId;
    }

    function _checkCareTeam(Treatment storage t, uint64 treatmentId) internal view {
        Member memory m = _members[msg.sender];
        if (m.kind == KIND_STAFF && m.hospitalId == t.hospitalId) return;
        if (m.kind == KIND_DOCTOR && _assignments[treatmentId][msg.sender] == m.epoch + 1) return;
        revert NotCareTeam(msg.sender, treatmentId);
    }

    function _checkVitalsRecorder(uint64 treatmentId) internal view {
        Treatment storage t = _openTreatment(treatmentId);
        if (t.stage >= STAGE_DISCHARGED) revert TreatmentDischarged(treatmentId);
        Member memory m = _members[msg.sender];
        if (m.kind == KIND_STAFF && m.hospitalId == t.hospitalId) return;
        if (m.kind == KIND_DOCTOR && _assignments[treatmentId][msg.sender] == m.epoch + 1) return;
        // A device belongs to the hospital that registered it (only that hospital can revoke it):
        // it writes only into that hospital's treatments of its patient.
        if (m.kind == KIND_DEVICE && m.hospitalId == t.hospitalId && deviceBinding[msg.sender] == t.patientRef) {
            return;
        }
        revert NotVitalsRecorder(msg.sender, treatmentId);
    }

    /// @dev The treatment, which must exist and not be closed.
    function _openTreatment(uint64 treatmentId) internal view returns (Treatment storage t) {
        t = treatments[treatmentId];
        if (t.hospitalId == 0) revert UnknownTreatment(treatmentId);
        if (t.stage == STAGE_CLOSED) revert TreatmentClosed(treatmentId);
    }

    // ------------------------------------------------------------------ internal: event numbers
    /// @dev The next event number (eventSequence shares its slot with the counters: one warm write).
    function _nextSeq() internal returns (uint64) {
        return ++eventSequence;
    }

    /// @dev Numbers the `count` access-control events just emitted (none: nothing to number).
    function _sequenceAccessControl(uint256 count) private {
        if (count != 0) emit AccessControlSequenced(_nextSeq(), uint8(count));
    }

    // OpenZeppelin emits these events itself; each override emits AccessControlSequenced right
    // after, with the number of events the call emitted (some are conditional: counted from the
    // state before the call, exactly as OpenZeppelin decides whether to emit them).

    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        _sequenceAccessControl(granted ? 1 : 0);
    }

    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        _sequenceAccessControl(revoked ? 1 : 0);
    }

    function _setRoleAdmin(bytes32 role, bytes32 adminRole) internal override {
        super._setRoleAdmin(role, adminRole);
        _sequenceAccessControl(1);
    }

    /// @dev DefaultAdminTransferCanceled (if a transfer was pending), then DefaultAdminTransferScheduled.
    function _beginDefaultAdminTransfer(address newAdmin) internal override {
        (, uint48 pending) = pendingDefaultAdmin();
        super._beginDefaultAdminTransfer(newAdmin);
        _sequenceAccessControl(pending != 0 ? 2 : 1);
    }

    /// @dev DefaultAdminTransferCanceled, if a transfer was pending.
    function _cancelDefaultAdminTransfer() internal override {
        (, uint48 pending) = pendingDefaultAdmin();
        super._cancelDefaultAdminTransfer();
        _sequenceAccessControl(pending != 0 ? 1 : 0);
    }

    /// @dev DefaultAdminDelayChangeCanceled (if a change was pending), then DefaultAdminDelayChangeScheduled.
    function _changeDefaultAdminDelay(uint48 newDelay) internal override {
        (, uint48 pending) = pendingDefaultAdminDelay();
        super._changeDefaultAdminDelay(newDelay);
        _sequenceAccessControl(pending != 0 ? 2 : 1);
    }

    /// @dev DefaultAdminDelayChangeCanceled, if a change was pending.
    function _rollbackDefaultAdminDelay() internal override {
        (, uint48 pending) = pendingDefaultAdminDelay();
        super._rollbackDefaultAdminDelay();
        _sequenceAccessControl(pending != 0 ? 1 : 0);
    }

    // ------------------------------------------------------------------ internal: validation
    function _checkRegion(uint8 stateCode, uint16 districtCode) internal pure {
        if (stateCode == 0 || stateCode > MAX_STATE_CODE || districtCode == 0) {
            revert InvalidRegion(stateCode, districtCode);
        }
    }

    function _checkPatient(PatientData calldata d) internal view {
        if (d.weightGrams < MIN_WEIGHT_GRAMS || d.weightGrams > MAX_WEIGHT_GRAMS) revert InvalidWeight(d.weightGrams);
        if (d.heightCm == 0 || d.heightCm > MAX_HEIGHT_CM) revert InvalidHeight(d.heightCm);
        if (d.sex > MAX_SEX) revert InvalidSex(d.sex);
        if (d.bloodGroup > MAX_BLOOD_GROUP) revert InvalidBloodGroup(d.bloodGroup);
        int64 today = int64(uint64(block.timestamp / 1 days));
        if (int64(d.birthDate) > today || int64(d.birthDate) < today - MAX_AGE_DAYS) {
            revert InvalidBirthDate(d.birthDate);
        }
        _checkRegion(d.stateCode, d.districtCode);
    }

    function _emitVitals(uint64 treatmentId, Vitals calldata v, uint64 seq) internal {
        if (v.measuredAt == 0 || v.measuredAt > block.timestamp) revert VitalOutOfRange(VITAL_MEASURED_AT, v.measuredAt);
        if (
            v.temperatureCentiC == 0 && v.systolicMmHg == 0 && v.diastolicMmHg == 0 && v.heartRateBpm == 0
                && v.spo2Permille == 0
        ) revert EmptyVitals();
        _checkVital(VITAL_TEMPERATURE, v.temperatureCentiC, MIN_TEMPERATURE_CENTI_C, MAX_TEMPERATURE_CENTI_C);
        _checkVital(VITAL_SYSTOLIC, v.systolicMmHg, MIN_SYSTOLIC_MMHG, MAX_SYSTOLIC_MMHG);
        _checkVital(VITAL_DIASTOLIC, v.diastolicMmHg, MIN_DIASTOLIC_MMHG, MAX_DIASTOLIC_MMHG);
        // A blood pressure is a pair: both or neither, diastolic below systolic.
        if ((v.systolicMmHg == 0) != (v.diastolicMmHg == 0)) revert VitalOutOfRange(VITAL_DIASTOLIC, v.diastolicMmHg);
        if (v.systolicMmHg != 0 && v.diastolicMmHg >= v.systolicMmHg) {
            revert VitalOutOfRange(VITAL_DIASTOLIC, v.diastolicMmHg);
        }
        _checkVital(VITAL_HEART_RATE, v.heartRateBpm, MIN_HEART_RATE_BPM, MAX_HEART_RATE_BPM);
        _checkVital(VITAL_SPO2, v.spo2Permille, MIN_SPO2_PERMILLE, MAX_SPO2_PERMILLE);
        emit VitalsRecorded(
            seq,
            treatmentId,
            msg.sender,
            v.measuredAt,
            v.temperatureCentiC,
            v.systolicMmHg,
            v.diastolicMmHg,
            v.heartRateBpm,
            v.spo2Permille
        );
    }

    function _checkVital(uint8 field, uint16 value, uint16 min, uint16 max) internal pure {
        if (value != 0 && (value < min || value > max)) revert VitalOutOfRange(field, value);
    }

    /// @dev ICD-10: a letter, a digit, a digit or letter, then optionally "." and 1-4 digits or
    /// letters; left-aligned, the rest zero bytes.
    function _isIcd10(bytes8 code) internal pure returns (bool) {
        if (!_isUpper(code[0]) || !_isDigit(code[1]) || !(_isDigit(code[2]) || _isUpper(code[2]))) return false;
        if (code[3] == 0) return _allZero(code, 4);
        if (code[3] != ".") return false;
        uint256 i = 4;
        while (i < 8 && code[i] != 0) {
            if (!(_isDigit(code[i]) || _isUpper(code[i]))) return false;
            ++i;
        }
        return i > 4 && _allZero(code, i);
    }

    function _allZero(bytes8 code, uint256 from) private pure returns (bool) {
        for (uint256 i = from; i < 8; ++i) {
            if (code[i] != 0) return false;
        }
        return true;
    }

    function _isUpper(bytes1 c) private pure returns (bool) {
        return c >= "A" && c <= "Z";
    }

    function _isDigit(bytes1 c) private pure returns (bool) {
        return c >= "0" && c <= "9";
    }
}
