/**
 * Governance: the deployment, and the handover of the governance admin (e.g. to a multisig)
 * through AccessControlDefaultAdminRules' two-step, delayed transfer.
 */
import { zeroAddress } from "viem";
import { describe, expect, it } from "vitest";
import { docTelAbi } from "../../shared/abi/generated/DocTel.ts";
import {
  ADMIN_DELAY,
  ANALYST_ROLE,
  AUDITOR_ROLE,
  DAY,
  DEFAULT_ADMIN_ROLE,
  expectRevert,
  type Fixture,
  HOSPITAL_1,
  KEY_ID,
  Kind,
  PUBLIC_HEALTH_ROLE,
  REFS,
  useDocTel,
  ZERO_HASH,
} from "./fixture.ts";

const get = useDocTel();

async function blockTime(fx: Fixture, blockNumber: bigint): Promise<number> {
  return Number((await fx.publicClient.getBlock({ blockNumber })).timestamp);
}

/** Starts the handover to the multisig; returns the time after which it may accept. */
async function beginHandover(fx: Fixture): Promise<number> {
  const { receipt } = await fx.mined(fx.as.governance.write.beginDefaultAdminTransfer([fx.actors.multisig]));
  return (await blockTime(fx, receipt.blockNumber)) + ADMIN_DELAY;
}

/** Completes the handover to the multisig. */
async function handOver(fx: Fixture): Promise<void> {
  const schedule = await beginHandover(fx);
  await fx.setNextTimestamp(schedule + 1);
  await fx.mined(fx.as.multisig.write.acceptDefaultAdminTransfer());
}

describe("deployment", () => {
  it("makes the given governance the admin and records who deployed, because the deployer may differ from governance", async () => {
    const fx = get();
    const { receipt, events } = await fx.deploy({ from: fx.actors.spare1, governance: fx.actors.multisig });
    expect(events).toEqual([
      {
        eventName: "RoleGranted",
        args: { role: DEFAULT_ADMIN_ROLE, account: fx.actors.multisig, sender: fx.actors.spare1 },
      },
    ]);
    const address = receipt.contractAddress;
    if (!address) throw new Error("no contract address");
    const read = { address, abi: docTelAbi } as const;
    expect(await fx.publicClient.readContract({ ...read, functionName: "defaultAdmin" })).toBe(
      fx.actors.multisig,
    );
    expect(
      await fx.publicClient.readContract({
        ...read,
        functionName: "hasRole",
        args: [DEFAULT_ADMIN_ROLE, fx.actors.spare1],
      }),
    ).toBe(false);
  });

  it("stores the reference key id and the handover delay, because writers and governance rely on them", async () => {
    const fx = get();
    const c = fx.as.outsider;
    expect(await c.read.referenceKeyId()).toBe(KEY_ID);
    expect(await c.read.defaultAdmin()).toBe(fx.actors.governance);
    expect(await c.read.owner()).toBe(fx.actors.governance);
    expect(await c.read.defaultAdminDelay()).toBe(ADMIN_DELAY);
  });

  it("refuses a zero reference key id with ZeroReference, because writers could not check their pepper", async () => {
    const fx = get();
    await expectRevert(fx.deploy({ from: fx.actors.governance, keyId: ZERO_HASH }), "ZeroReference");
  });

  it("refuses a zero governance with AccessControlInvalidDefaultAdmin, because nobody could govern", async () => {
    const fx = get();
    await expectRevert(
      fx.deploy({ from: fx.actors.governance, governance: zeroAddress }),
      "AccessControlInvalidDefaultAdmin",
      [zeroAddress],
    );
  });

  it("names the roles by the keccak256 of their names and lets governance administer them, because the API checks them", async () => {
    const fx = get();
    const c = fx.as.outsider;
    expect(await c.read.ANALYST_ROLE()).toBe(ANALYST_ROLE);
    expect(await c.read.PUBLIC_HEALTH_ROLE()).toBe(PUBLIC_HEALTH_ROLE);
    expect(await c.read.AUDITOR_ROLE()).toBe(AUDITOR_ROLE);
    for (const role of [ANALYST_ROLE, PUBLIC_HEALTH_ROLE, AUDITOR_ROLE]) {
      expect(await c.read.getRoleAdmin([role])).toBe(DEFAULT_ADMIN_ROLE);
    }
  });
});

describe("governance handover", () => {
  it("schedules the transfer after the delay, because a compromised key must not hand over instantly", async () => {
    const fx = get();
    const schedule = await beginHandover(fx);
    expect(await fx.as.outsider.read.pendingDefaultAdmin()).toEqual([fx.actors.multisig, schedule]);
    expect(await fx.as.outsider.read.defaultAdmin()).toBe(fx.actors.governance);
  });

  it("refuses acceptance at the scheduled second with AccessControlEnforcedDefaultAdminDelay, because the delay must have fully passed", async () => {
    const fx = get();
    const schedule = await beginHandover(fx);
    await fx.setNextTimestamp(schedule);
    await expectRevert(
      fx.as.multisig.write.acceptDefaultAdminTransfer(),
      "AccessControlEnforcedDefaultAdminDelay",
      [schedule],
    );
  });

  it("accepts one second after the schedule, because the delay has then passed", async () => {
    const fx = get();
    const schedule = await beginHandover(fx);
    await fx.setNextTimestamp(schedule + 1);
    const { events } = await fx.mined(fx.as.multisig.write.acceptDefaultAdminTransfer());
    expect(events).toEqual([
      {
        eventName: "RoleRevoked",
        args: { role: DEFAULT_ADMIN_ROLE, account: fx.actors.governance, sender: fx.actors.multisig },
      },
      {
        eventName: "RoleGranted",
        args: { role: DEFAULT_ADMIN_ROLE, account: fx.actors.multisig, sender: fx.actors.multisig },
      },
    ]);
    expect(await fx.as.outsider.read.defaultAdmin()).toBe(fx.actors.multisig);
    expect(await fx.as.outsider.read.pendingDefaultAdmin()).toEqual([zeroAddress, 0]);
  });

  it("refuses acceptance by anyone but the pending admin with AccessControlInvalidDefaultAdmin, because only the named account accepts", async () => {
    const fx = get();
    const schedule = await beginHandover(fx);
    await fx.setNextTimestamp(schedule + 1);
    await expectRevert(
      fx.as.governance.write.acceptDefaultAdminTransfer(),
      "AccessControlInvalidDefaultAdmin",
      [fx.actors.governance],
    );
  });

  it("can be cancelled, after which the multisig cannot accept, because governance may change its mind", async () => {
    const fx = get();
    const schedule = await beginHandover(fx);
    const { events } = await fx.mined(fx.as.governance.write.cancelDefaultAdminTransfer());
    expect(events).toEqual([{ eventName: "DefaultAdminTransferCanceled", args: {} }]);
    await fx.setNextTimestamp(schedule + 1);
    await expectRevert(
      fx.as.multisig.write.acceptDefaultAdminTransfer(),
      "AccessControlInvalidDefaultAdmin",
      [fx.actors.multisig],
    );
  });

  it("gives the old governance no power afterwards, because the admin role moved", async () => {
    const fx = get();
    await handOver(fx);
    const old = fx.actors.governance;
    await expectRevert(
      fx.as.governance.write.registerHospital(["Civil Hospital", 9, 1]),
      "AccessControlUnauthorizedAccount",
      [old, DEFAULT_ADMIN_ROLE],
    );
    await expectRevert(
      fx.as.governance.write.registerStaff([fx.actors.spare1, HOSPITAL_1.id, REFS.spare]),
      "NotGovernanceOrStaff",
      [old, HOSPITAL_1.id],
    );
    await expectRevert(fx.as.governance.write.revokeMember([fx.actors.staff1]), "NotGovernanceOrStaff", [
      old,
      HOSPITAL_1.id,
    ]);
    await expectRevert(
      fx.as.governance.write.grantRole([AUDITOR_ROLE, fx.actors.spare1]),
      "AccessControlUnauthorizedAccount",
      [old, DEFAULT_ADMIN_ROLE],
    );
    await expectRevert(
      fx.as.governance.write.beginDefaultAdminTransfer([old]),
      "AccessControlUnauthorizedAccount",
      [old, DEFAULT_ADMIN_ROLE],
    );
  });

  it("gives the multisig every governance power, because it is the new admin", async () => {
    const fx = get();
    await handOver(fx);
    const { events } = await fx.mined(fx.as.multisig.write.registerHospital(["Civil Hospital", 9, 1]));
    expect(events[0]?.args.actor).toBe(fx.actors.multisig);
    await fx.mined(fx.as.multisig.write.registerStaff([fx.actors.spare1, HOSPITAL_1.id, REFS.spare]));
    await fx.mined(fx.as.multisig.write.revokeMember([fx.actors.spare1]));
    await fx.mined(fx.as.multisig.write.grantRole([AUDITOR_ROLE, fx.actors.spare2]));
    expect(await fx.as.outsider.read.hasRole([AUDITOR_ROLE, fx.actors.spare2])).toBe(true);
  });

  it("keeps existing members and data-access roles, because the handover changes only the admin", async () => {
    const fx = get();
    await handOver(fx);
    expect(await fx.as.outsider.read.members([fx.actors.staff1])).toEqual([Kind.Staff, HOSPITAL_1.id]);
    expect(await fx.as.outsider.read.hasRole([ANALYST_ROLE, fx.actors.analyst])).toBe(true);
    await fx.mined(fx.as.staff1.write.registerDoctor([fx.actors.spare1, REFS.spare, 3]));
  });

  it("refuses to revoke the admin role directly with AccessControlEnforcedDefaultAdminRules, because it changes hands only by transfer", async () => {
    const fx = get();
    await expectRevert(
      fx.as.governance.write.revokeRole([DEFAULT_ADMIN_ROLE, fx.actors.governance]),
      "AccessControlEnforcedDefaultAdminRules",
    );
  });

  it("refuses an immediate renouncement with AccessControlEnforcedDefaultAdminDelay, because renouncing also goes through the delay", async () => {
    const fx = get();
    await expectRevert(
      fx.as.governance.write.renounceRole([DEFAULT_ADMIN_ROLE, fx.actors.governance]),
      "AccessControlEnforcedDefaultAdminDelay",
      [0],
    );
  });
});

describe("governance delay", () => {
  it("schedules a shorter delay after the difference, because a transfer can never be faster than the current delay", async () => {
    const fx = get();
    const { receipt, events } = await fx.mined(fx.as.governance.write.changeDefaultAdminDelay([DAY]));
    const t = await blockTime(fx, receipt.blockNumber);
    expect(events).toEqual([
      {
        eventName: "DefaultAdminDelayChangeScheduled",
        args: { newDelay: DAY, effectSchedule: t + ADMIN_DELAY - DAY },
      },
    ]);
    expect(await fx.as.outsider.read.pendingDefaultAdminDelay()).toEqual([DAY, t + ADMIN_DELAY - DAY]);
  });

  it("can roll back a scheduled delay change, because governance may change its mind", async () => {
    const fx = get();
    await fx.mined(fx.as.governance.write.changeDefaultAdminDelay([DAY]));
    const { events } = await fx.mined(fx.as.governance.write.rollbackDefaultAdminDelay());
    expect(events).toEqual([{ eventName: "DefaultAdminDelayChangeCanceled", args: {} }]);
    expect(await fx.as.outsider.read.pendingDefaultAdminDelay()).toEqual([0, 0]);
  });

  it("refuses a delay change by anyone but governance, because the delay protects the handover", async () => {
    const fx = get();
    await expectRevert(fx.as.staff1.write.changeDefaultAdminDelay([0]), "AccessControlUnauthorizedAccount", [
      fx.actors.staff1,
      DEFAULT_ADMIN_ROLE,
    ]);
  });
});
