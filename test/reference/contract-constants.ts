import { readFileSync } from "node:fs";

/** Numeric constants declared in contracts/DocTel.sol, by name, so tests catch drift from the contract. */
export function contractConstants(): ReadonlyMap<string, number> {
  const source = readFileSync(new URL("../../contracts/DocTel.sol", import.meta.url), "utf8");
  const constants = new Map<string, number>();
  for (const m of source.matchAll(
    /\b(?:u?int\d+)\s+(?:public|internal|private)\s+constant\s+(\w+)\s*=\s*([\d_]+);/g,
  )) {
    constants.set(m[1]!, Number(m[2]!.replaceAll("_", "")));
  }
  return constants;
}

/** The value of one constant; throws if the contract no longer declares it. */
export function contractConstant(name: string): number {
  const value = contractConstants().get(name);
  if (value === undefined) throw new Error(`contracts/DocTel.sol declares no numeric constant ${name}`);
  return value;
}

/** The enum comment "// Stage: 0 Admitted, 1 Diagnosed, ..." as its names in value order. */
export function contractEnumComment(enumName: string): readonly string[] {
  const source = readFileSync(new URL("../../contracts/DocTel.sol", import.meta.url), "utf8");
  const line = new RegExp(`//\\s*${enumName}:\\s*(.+)`).exec(source)?.[1];
  if (line === undefined) throw new Error(`contracts/DocTel.sol has no "// ${enumName}:" comment`);
  return line.split(",").map((part, i) => {
    const m = /^\s*(\d+)\s+(.+?)\s*$/.exec(part);
    if (m === null || Number(m[1]) !== i) throw new Error(`unexpected ${enumName} comment entry "${part}"`);
    return m[2]!;
  });
}
