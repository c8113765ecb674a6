/** State and district pickers from the LGD reference table bundled with the app. */
import { districtsOf, STATES } from "../../../../shared/reference/regions.ts";

const SORTED_STATES = [...STATES].sort((a, b) => a.name.localeCompare(b.name, "en"));

export function RegionSelect(props: {
  idPrefix: string;
  state: number | null;
  district: number | null;
  onChange(state: number | null, district: number | null): void;
}) {
  const { idPrefix, state, district, onChange } = props;
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-state`}>State</label>
        <select
          id={`${idPrefix}-state`}
          value={state ?? ""}
          onChange={(e) => onChange(e.target.value === "" ? null : Number(e.target.value), null)}
        >
          <option value="">All India</option>
          {SORTED_STATES.map((s) => (
            <option key={s.code} value={s.code}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-district`}>District</label>
        <select
          id={`${idPrefix}-district`}
          value={district ?? ""}
          disabled={state === null}
          onChange={(e) => onChange(state, e.target.value === "" ? null : Number(e.target.value))}
        >
          <option value="">{state === null ? "Pick a state first" : "All districts"}</option>
          {state !== null &&
            districtsOf(state).map((d) => (
              <option key={d.code} value={d.code}>
                {d.name}
              </option>
            ))}
        </select>
      </div>
    </>
  );
}
