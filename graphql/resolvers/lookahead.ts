/**
 * Look-ahead: when a query asks for a patient and their treatments, the treatments page does not
 * depend on the patient row (only on its reference, known from the arguments), so it is fetched
 * at the same time instead of one round trip later. The DataLoader keeps the promise; the
 * `Patient.treatments` resolver then finds it there (same scope, same page).
 */
import { type GraphQLResolveInfo, getArgumentValues, isObjectType, Kind } from "graphql";

/** The arguments of child field `name` of the current field, or null when it is not selected. */
export function childFieldArgs(
  info: GraphQLResolveInfo,
  typeName: string,
  name: string,
): Record<string, unknown> | null {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return null;
  const def = type.getFields()[name];
  if (!def) return null;
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind === Kind.FIELD && selection.name.value === name) {
        try {
          return getArgumentValues(def, selection, info.variableValues);
        } catch {
          return null;
        }
      }
    }
  }
  return null;
}
